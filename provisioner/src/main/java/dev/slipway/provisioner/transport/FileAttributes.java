package dev.slipway.provisioner.transport;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Mode and owner that an uploaded file gets on the host.
 *
 * @param mode  octal permission bits, {@code "0644"} or {@code "600"}
 * @param owner {@code user} or {@code user:group}; over SSH applied with chown, ignored by the
 *              local transport (its hosts are folders owned by the operator)
 */
public record FileAttributes(String mode, String owner) {

    private static final Pattern MODE = Pattern.compile("[0-7]{3,4}");
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?");

    public FileAttributes {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(owner, "owner");
        if (!MODE.matcher(mode).matches()) {
            throw new IllegalArgumentException("file mode '" + mode + "' is not octal like 0644");
        }
        if (!OWNER.matcher(owner).matches()) {
            throw new IllegalArgumentException("file owner '" + owner + "' is not user or user:group");
        }
    }

    /** Owned by root:root with the given mode. */
    public static FileAttributes mode(String mode) {
        return new FileAttributes(mode, "root:root");
    }

    /** 0644 root:root: configuration, certificates. */
    public static FileAttributes publicFile() {
        return mode("0644");
    }

    /** 0600 root:root: private keys and secrets. */
    public static FileAttributes secretFile() {
        return mode("0600");
    }

    /** 0755 root:root: binaries and scripts. */
    public static FileAttributes executable() {
        return mode("0755");
    }
}
