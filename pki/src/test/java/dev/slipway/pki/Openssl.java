package dev.slipway.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real /usr/bin/openssl (or another tool) and returns what it printed. */
record Openssl(int exitCode, String output) {

    static Openssl run(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add("/usr/bin/openssl");
        command.addAll(List.of(arguments));
        return exec(command, Map.of());
    }

    static Openssl exec(List<String> command, Map<String, String> environment) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process process = builder.start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in 60s");
            }
            return new Openssl(process.exitValue(), output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String text(Path certificate) {
        Openssl result = run("x509", "-in", certificate.toString(), "-noout", "-text");
        if (result.exitCode != 0) {
            throw new IllegalStateException("openssl x509 failed on " + certificate + ": " + result.output);
        }
        return result.output;
    }
}
