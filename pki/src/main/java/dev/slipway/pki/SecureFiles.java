package dev.slipway.pki;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Files written whole or not at all, with their mode set before any byte is in them. */
final class SecureFiles {

    static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");
    static final Set<PosixFilePermission> PRIVATE_FOLDER = PosixFilePermissions.fromString("rwx------");

    private SecureFiles() {
    }

    /** Creates the folder (and missing parents) with mode 0700; an existing folder is left as it is. */
    static void folder(Path folder) {
        try {
            if (Files.isDirectory(folder)) {
                return;
            }
            Path parent = folder.toAbsolutePath().getParent();
            if (parent != null) {
                folder(parent);
            }
            Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PRIVATE_FOLDER));
            Files.setPosixFilePermissions(folder, PRIVATE_FOLDER); // the umask does not decide
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(folder)) {
                throw new PkiException(folder + ": exists and is not a folder", e);
            }
        } catch (IOException e) {
            throw new PkiException(folder + ": cannot create folder: " + e.getMessage(), e);
        }
    }

    /** Writes a file that must not exist yet; an existing file is never replaced. */
    static void create(Path target, byte[] content, Set<PosixFilePermission> mode) {
        Path temp = writeTemp(target, content, mode);
        try {
            // link(2) fails on an existing name, so a file that appeared meanwhile is kept, not clobbered.
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            throw new PkiException(target + ": already exists; Slipway does not overwrite it", e);
        } catch (IOException | UnsupportedOperationException e) {
            moveNoReplace(temp, target);
        } finally {
            deleteQuietly(temp);
        }
    }

    /** Replaces the file atomically (readers see the old or the new content, never a mix). */
    static void replace(Path target, byte[] content, Set<PosixFilePermission> mode) {
        Path temp = writeTemp(target, content, mode);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new PkiException(target + ": the file system cannot rename atomically", e);
        } catch (IOException e) {
            throw new PkiException(target + ": cannot write: " + e.getMessage(), e);
        } finally {
            deleteQuietly(temp);
        }
    }

    private static Path writeTemp(Path target, byte[] content, Set<PosixFilePermission> mode) {
        Path folder = target.toAbsolutePath().getParent();
        folder(folder);
        try {
            Path temp = Files.createTempFile(folder, "." + target.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PRIVATE));
            Files.setPosixFilePermissions(temp, mode);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            return temp;
        } catch (IOException e) {
            throw new PkiException(target + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static void moveNoReplace(Path temp, Path target) {
        try {
            Files.move(temp, target);
        } catch (FileAlreadyExistsException e) {
            throw new PkiException(target + ": already exists; Slipway does not overwrite it", e);
        } catch (IOException e) {
            throw new PkiException(target + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // a leftover temp file is hidden (dot name) and harmless; the target is what matters
        }
    }
}
