package onebyte.node.tls;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.List;
import onebyte.core.input.BadInputException;

/**
 * Artery over TLS with mutual authentication ({@code akka.remote.artery.transport = tls-tcp},
 * Akka's ConfigSSLEngineProvider): this member presents the certificate of its PKCS#12 key store
 * and accepts a peer, in either direction, only when the peer's certificate chains to a
 * certificate of the trust store (the run's CA, see {@code onebyte certs}) and is within its
 * validity. A connection whose handshake fails is closed by Akka before any message is read.
 * Hostnames are not verified: nodes of a scaled compose service get addresses nobody knows in
 * advance; holding a key signed by the run's CA is what admits a process.
 *
 * @param keyStore this member's key and certificate chain (PKCS#12)
 * @param trustStore the CA certificates trusted for peers (PKCS#12)
 * @param password the password of both stores and of the key
 */
public record TlsSettings(Path keyStore, Path trustStore, String password) {
    /** TLS 1.3 only, with its two AES-GCM suites. */
    public static final String PROTOCOL = "TLSv1.3";
    public static final List<String> CIPHER_SUITES = List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256");

    @Override
    public String toString() {
        return "TlsSettings[keyStore=" + keyStore + ", trustStore=" + trustStore + "]"; // no password
    }

    /**
     * Checks that both stores open with the password, that the key store holds a key and the trust
     * store a certificate; a problem is a {@link BadInputException} naming the file.
     */
    public TlsSettings validated() {
        KeyStore keys = open(keyStore, password);
        KeyStore trust = open(trustStore, password);
        try {
            if (Collections.list(keys.aliases()).stream().noneMatch(a -> isKey(keys, a))) {
                throw new BadInputException(keyStore + ": holds no private key (a member's key store is made by onebyte certs)");
            }
            if (Collections.list(trust.aliases()).stream().noneMatch(a -> isCertificate(trust, a))) {
                throw new BadInputException(trustStore + ": holds no trusted certificate");
            }
        } catch (java.security.KeyStoreException e) {
            throw new BadInputException(keyStore + ": " + e.getMessage());
        }
        return this;
    }

    /** The Akka settings, to lay over the rest of a member's config. */
    public Config akkaConfig() {
        String p = "akka.remote.artery.ssl.config-ssl-engine.";
        return ConfigFactory.empty()
                .withValue("akka.remote.artery.transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
                .withValue("akka.remote.artery.ssl.ssl-engine-provider", ConfigValueFactory.fromAnyRef(HandshakeLoggingEngineProvider.class.getName()))
                .withValue(p + "key-store", ConfigValueFactory.fromAnyRef(keyStore.toAbsolutePath().toString()))
                .withValue(p + "trust-store", ConfigValueFactory.fromAnyRef(trustStore.toAbsolutePath().toString()))
                .withValue(p + "key-store-password", ConfigValueFactory.fromAnyRef(password))
                .withValue(p + "key-password", ConfigValueFactory.fromAnyRef(password))
                .withValue(p + "trust-store-password", ConfigValueFactory.fromAnyRef(password))
                .withValue(p + "protocol", ConfigValueFactory.fromAnyRef(PROTOCOL))
                .withValue(p + "enabled-algorithms", ConfigValueFactory.fromIterable(CIPHER_SUITES))
                .withValue(p + "require-mutual-authentication", ConfigValueFactory.fromAnyRef("on"))
                .withValue(p + "hostname-verification", ConfigValueFactory.fromAnyRef("off"));
    }

    /** The first line of a password file, without surrounding whitespace. */
    public static String readPassword(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            String first = text.lines().findFirst().orElse("").strip();
            if (first.isEmpty()) {
                throw new BadInputException(file + ": empty password file");
            }
            return first;
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read the password (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static KeyStore open(Path file, String password) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + ": no such key store");
        }
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            String why = e.getCause() instanceof java.security.UnrecoverableKeyException ? "wrong password" : e.getMessage();
            throw new BadInputException(file + ": cannot open as PKCS#12 (" + why + ")");
        }
    }

    private static boolean isKey(KeyStore ks, String alias) {
        try {
            return ks.isKeyEntry(alias);
        } catch (java.security.KeyStoreException e) {
            return false;
        }
    }

    private static boolean isCertificate(KeyStore ks, String alias) {
        try {
            return ks.isCertificateEntry(alias);
        } catch (java.security.KeyStoreException e) {
            return false;
        }
    }
}
