package onebyte.coordinator.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import onebyte.coordinator.tls.RunCertificates;
import onebyte.core.input.BadInputException;
import onebyte.node.tls.TlsSettings;
import picocli.CommandLine.Option;

/**
 * Artery over TLS with mutual authentication, for the coordinator and node commands. Off unless a
 * TLS directory or store is given; then every member must present a certificate signed by the
 * run's CA ({@code onebyte certs}). Each flag falls back to an environment variable (Docker); the
 * password is read from ONEBYTE_TLS_PASSWORD, else from the password file, never from a flag.
 */
public final class TlsOptions {
    @Option(names = "--tls-dir", paramLabel = "DIR", defaultValue = "${env:ONEBYTE_TLS_DIR:-}",
            description = "Turn TLS on with the files of `onebyte certs --out DIR`: truststore.p12, password, and "
                    + "coordinator.p12 (coordinator) or the --tls-key-store given (node; default DIR/node.p12) "
                    + "(env ONEBYTE_TLS_DIR).")
    String dir;
    @Option(names = "--tls-key-store", paramLabel = "FILE", defaultValue = "${env:ONEBYTE_TLS_KEY_STORE:-}",
            description = "This member's PKCS#12 key store, e.g. DIR/node-2.p12 (env ONEBYTE_TLS_KEY_STORE).")
    String keyStore;
    @Option(names = "--tls-trust-store", paramLabel = "FILE", defaultValue = "${env:ONEBYTE_TLS_TRUST_STORE:-}",
            description = "PKCS#12 store of the CA certificate peers must chain to (env ONEBYTE_TLS_TRUST_STORE; "
                    + "default DIR/truststore.p12).")
    String trustStore;
    @Option(names = "--tls-password-file", paramLabel = "FILE", defaultValue = "${env:ONEBYTE_TLS_PASSWORD_FILE:-}",
            description = "File whose first line is the stores' password (env ONEBYTE_TLS_PASSWORD_FILE; default DIR/password; "
                    + "the env variable ONEBYTE_TLS_PASSWORD, when set, is used instead).")
    String passwordFile;

    /**
     * The TLS settings, or null for plain TCP (no TLS flag or variable set).
     * @param member the key store's name in the TLS directory when --tls-key-store is not given
     */
    TlsSettings settings(String member) {
        if (blank(dir) && blank(keyStore) && blank(trustStore)) {
            return null;
        }
        Path d = blank(dir) ? null : Path.of(dir);
        if (d != null && !Files.isDirectory(d)) {
            throw new BadInputException("--tls-dir " + dir + ": no such directory");
        }
        Path key = !blank(keyStore) ? Path.of(keyStore) : d == null ? null : RunCertificates.keyStore(d, member);
        Path trust = !blank(trustStore) ? Path.of(trustStore) : d == null ? null : d.resolve(RunCertificates.TRUST_STORE);
        if (blank(keyStore) && key != null && !Files.exists(key)) {
            throw new BadInputException("--tls-dir " + dir + " has no " + key.getFileName() + ": give this member's key store with --tls-key-store, e.g. "
                    + d.resolve(member.equals("node") ? "node-1.p12" : member + ".p12"));
        }
        if (key == null || trust == null) {
            throw new BadInputException("TLS needs both stores: give --tls-dir, or --tls-key-store and --tls-trust-store");
        }
        String env = System.getenv("ONEBYTE_TLS_PASSWORD");
        String password;
        if (env != null && !env.isEmpty()) {
            password = env;
        } else if (!blank(passwordFile)) {
            password = TlsSettings.readPassword(Path.of(passwordFile));
        } else if (d != null) {
            password = TlsSettings.readPassword(d.resolve(RunCertificates.PASSWORD_FILE));
        } else {
            throw new BadInputException("TLS needs the stores' password: set ONEBYTE_TLS_PASSWORD or give --tls-password-file");
        }
        return new TlsSettings(key, trust, password).validated();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
