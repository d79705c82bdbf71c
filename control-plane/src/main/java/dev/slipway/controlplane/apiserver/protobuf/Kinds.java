package dev.slipway.controlplane.apiserver.protobuf;

import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.ExtensionRegistry;
import dev.slipway.controlplane.apiserver.protobuf.schema.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The kinds whose protobuf form this server reads: the message descriptors of {@code src/main/proto},
 * loaded from the descriptor set the build writes, keyed by apiVersion and kind.
 */
final class Kinds {

    private static final String DESCRIPTOR_SET = "kinds.desc";

    private final Map<String, Descriptor> byType;

    private Kinds(Map<String, Descriptor> byType) {
        this.byType = Map.copyOf(byType);
    }

    /** Loaded once: the schema is part of the build. */
    static Kinds schema() {
        return Loaded.KINDS;
    }

    Optional<Descriptor> find(String apiVersion, String kind) {
        Descriptor descriptor = byType.get(key(apiVersion, kind));
        if (descriptor == null && kind.equals("DeleteOptions")) {
            // Kubernetes registers DeleteOptions in every group version.
            descriptor = byType.get(key("meta.k8s.io/v1", kind));
        }
        return Optional.ofNullable(descriptor);
    }

    /** apiVersion/kind of every kind read, for error messages. */
    String names() {
        return String.join(", ", new TreeSet<>(byType.keySet()));
    }

    private static String key(String apiVersion, String kind) {
        return apiVersion + "/" + kind;
    }

    private static final class Loaded {
        static final Kinds KINDS = load();

        private static Kinds load() {
            ExtensionRegistry registry = ExtensionRegistry.newInstance();
            Wire.registerAllExtensions(registry);
            DescriptorProtos.FileDescriptorSet set;
            try (InputStream in = Kinds.class.getResourceAsStream(DESCRIPTOR_SET)) {
                if (in == null) {
                    throw new IllegalStateException(DESCRIPTOR_SET + " is missing from the class path; the build writes it from src/main/proto");
                }
                set = DescriptorProtos.FileDescriptorSet.parseFrom(in, registry);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + DESCRIPTOR_SET, e);
            }
            Map<String, FileDescriptor> files = new HashMap<>();
            files.put(DescriptorProtos.getDescriptor().getName(), DescriptorProtos.getDescriptor());
            files.put(Wire.getDescriptor().getName(), Wire.getDescriptor());
            Map<String, Descriptor> byType = new HashMap<>();
            // The set lists every file after the files it imports.
            for (FileDescriptorProto proto : set.getFileList()) {
                if (files.containsKey(proto.getName())) {
                    continue;
                }
                FileDescriptor file = build(proto, proto.getDependencyList().stream().map(files::get).toList());
                files.put(file.getName(), file);
                String apiVersion = file.getOptions().getExtension(Wire.apiVersion);
                for (Descriptor message : file.getMessageTypes()) {
                    if (message.getOptions().getExtension(Wire.kind)) {
                        byType.put(key(apiVersion, message.getName()), message);
                    }
                }
            }
            return new Kinds(byType);
        }

        private static FileDescriptor build(FileDescriptorProto proto, List<FileDescriptor> dependencies) {
            try {
                return FileDescriptor.buildFrom(proto, dependencies.toArray(FileDescriptor[]::new));
            } catch (DescriptorValidationException e) {
                throw new IllegalStateException("the protobuf schema " + proto.getName() + " is invalid: " + e.getMessage(), e);
            }
        }
    }
}
