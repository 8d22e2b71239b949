package onebyte.coordinator.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import onebyte.core.input.BadInputException;
import onebyte.node.tls.TlsSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stores of {@link RunCertificates} as the JDK's PKIX validation (what TLS uses) sees them. */
class RunCertificatesTest {
    private static final String PASSWORD = "pw-1";

    @TempDir
    Path dir;

    @Test
    void memberChainsToTheRunsCaAndOnlyToIt() throws Exception {
        Path run = dir.resolve("run");
        RunCertificates ca = RunCertificates.newAuthority(run, PASSWORD, 30);
        ca.members(List.of("coordinator", "node-1"), 0, 30, List.of("localhost", "127.0.0.1"));
        ca.member("expired", -10, 1, List.of());
        RunCertificates.newAuthority(dir.resolve("other"), PASSWORD, 30).member("node-1", 0, 30, List.of());

        X509Certificate caCert = (X509Certificate) load(run.resolve(RunCertificates.TRUST_STORE)).getCertificate("onebyte-ca");
        assertEquals(0, caCert.getBasicConstraints(), "a CA that may sign members only");
        X509Certificate[] chain = chain(run.resolve("node-1.p12"), "node-1");
        assertEquals(2, chain.length);
        assertEquals(caCert, chain[1]);
        assertEquals(-1, chain[0].getBasicConstraints(), "a member is no CA");
        assertTrue(chain[0].getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")), "server and client auth");
        validate(chain[0], caCert); // no exception: trusted

        assertThrows(CertPathValidatorException.class, () -> validate(chain(dir.resolve("other/node-1.p12"), "node-1")[0], caCert));
        X509Certificate expired = chain(run.resolve("expired.p12"), "expired")[0];
        assertThrows(CertificateExpiredException.class, expired::checkValidity);
        assertThrows(CertPathValidatorException.class, () -> validate(expired, caCert));

        assertEquals(PASSWORD, TlsSettings.readPassword(run.resolve(RunCertificates.PASSWORD_FILE)));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(run.resolve(RunCertificates.CA_KEY_STORE))));
        RunCertificates.existing(run).member("node-2", 0, 30, List.of());
        validate(chain(run.resolve("node-2.p12"), "node-2")[0], caCert);
    }

    @Test
    void storesThatCannotServeAreOneLineErrors() throws Exception {
        Path run = dir.resolve("run");
        RunCertificates.newAuthority(run, PASSWORD, 30).member("node-1", 0, 30, List.of());
        Path trust = run.resolve(RunCertificates.TRUST_STORE);
        new TlsSettings(run.resolve("node-1.p12"), trust, PASSWORD).validated();
        BadInputException wrong = assertThrows(BadInputException.class,
                () -> new TlsSettings(run.resolve("node-1.p12"), trust, "nope").validated());
        assertTrue(wrong.getMessage().contains("node-1.p12") && wrong.getMessage().contains("wrong password"), wrong.getMessage());
        BadInputException noKey = assertThrows(BadInputException.class, () -> new TlsSettings(trust, trust, PASSWORD).validated());
        assertTrue(noKey.getMessage().contains("holds no private key"), noKey.getMessage());
        assertThrows(BadInputException.class, () -> new TlsSettings(run.resolve("missing.p12"), trust, PASSWORD).validated());
        assertThrows(BadInputException.class, () -> RunCertificates.newAuthority(run, PASSWORD, 30), "a second CA over the first");
        assertTrue(!new TlsSettings(run.resolve("node-1.p12"), trust, PASSWORD).toString().contains(PASSWORD), "no password in toString");
    }

    private static KeyStore load(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            return ks;
        }
    }

    private static X509Certificate[] chain(Path store, String alias) throws Exception {
        return Arrays.stream(load(store).getCertificateChain(alias)).map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
    }

    private static void validate(X509Certificate leaf, X509Certificate ca) throws Exception {
        PKIXParameters p = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        p.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), p);
    }
}
