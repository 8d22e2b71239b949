package onebyte.coordinator.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import onebyte.core.input.BadInputException;
import onebyte.node.tls.TlsSettings;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificates of one TLS run: a CA, then one PKCS#12 key store per member holding its EC
 * P-256 key and the chain [member certificate, CA certificate], signed by the CA for both TLS
 * server and client use. Keys come from the JDK's KeyPairGenerator, certificates are built by
 * BouncyCastle's bcpkix and signed with the JDK's SHA256withECDSA, stores are the JDK's PKCS#12.
 * Files in the directory:
 * <ul>
 *   <li>{@value #CA_KEY_STORE}: the CA's key; keep it private, it is only needed to make more certificates</li>
 *   <li>{@value #CA_PEM}: the CA certificate (PEM), and {@value #TRUST_STORE}: the same as a PKCS#12 trust store</li>
 *   <li>{@code coordinator.p12}, {@code node-1.p12} ... {@code node-N.p12}: the members' key stores</li>
 *   <li>{@value #PASSWORD_FILE}: the one password of every store and key (mode 600)</li>
 * </ul>
 */
public final class RunCertificates {
    public static final String CA_KEY_STORE = "ca.p12";
    public static final String CA_PEM = "ca.crt";
    public static final String TRUST_STORE = "truststore.p12";
    public static final String PASSWORD_FILE = "password";
    private static final String CA_ALIAS = "onebyte-ca";
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final String password;
    private final PrivateKey caKey;
    private final X509Certificate caCert;

    private RunCertificates(Path dir, String password, PrivateKey caKey, X509Certificate caCert) {
        this.dir = dir;
        this.password = password;
        this.caKey = caKey;
        this.caCert = caCert;
    }

    /** The key store file of a member, e.g. coordinator → DIR/coordinator.p12. */
    public static Path keyStore(Path dir, String member) {
        return dir.resolve(member + ".p12");
    }

    /** A random password: 24 hex digits from SecureRandom. */
    public static String randomPassword() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * Makes a new CA in {@code dir} (which must not hold one already): its key store, its PEM
     * certificate, the trust store and the password file.
     * @param days how long the CA certificate is valid
     */
    public static RunCertificates newAuthority(Path dir, String password, int days) {
        if (Files.exists(dir.resolve(CA_KEY_STORE))) {
            throw new BadInputException(dir + ": already holds a CA (" + CA_KEY_STORE + "); choose an empty directory");
        }
        KeyPair pair = newKeyPair();
        X500Name name = new X500Name("CN=onebyte run CA " + randomPassword().substring(0, 8));
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(Duration.ofDays(days))), name, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate cert = sign(b, pair.getPrivate());
            RunCertificates ca = new RunCertificates(dir, password, pair.getPrivate(), cert);
            Files.createDirectories(dir);
            write(dir.resolve(PASSWORD_FILE), (password + "\n").getBytes(StandardCharsets.UTF_8), true);
            ca.writeKeyStore(dir.resolve(CA_KEY_STORE), true, CA_ALIAS, pair.getPrivate(), cert);
            StringWriter pem = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
                w.writeObject(cert);
            }
            Files.writeString(dir.resolve(CA_PEM), pem.toString(), StandardCharsets.UTF_8);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(CA_ALIAS, cert);
            ca.store(trust, dir.resolve(TRUST_STORE), false);
            return ca;
        } catch (IOException e) {
            throw new BadInputException(dir + ": cannot write (" + e.getMessage() + ")");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the CA", e);
        }
    }

    /** The CA already in {@code dir}, with the password of its {@value #PASSWORD_FILE} file. */
    public static RunCertificates existing(Path dir) {
        Path file = dir.resolve(CA_KEY_STORE);
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(dir + ": holds no CA (" + CA_KEY_STORE + "); make one with onebyte certs --out " + dir);
        }
        String password = TlsSettings.readPassword(dir.resolve(PASSWORD_FILE));
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            return new RunCertificates(dir, password, (PrivateKey) ks.getKey(CA_ALIAS, password.toCharArray()),
                    (X509Certificate) ks.getCertificate(CA_ALIAS));
        } catch (IOException | GeneralSecurityException e) {
            throw new BadInputException(file + ": cannot open the CA (" + e.getMessage() + ")");
        }
    }

    /**
     * Makes the key store DIR/MEMBER.p12: a new key and its certificate signed by this CA.
     * @param startDays when the certificate becomes valid, in days from now (negative: in the past;
     *     with {@code days} at most {@code -startDays} the certificate has already expired)
     * @param hosts DNS names and IP addresses for the certificate's subjectAltName (for peers that
     *     turn hostname verification on)
     */
    public Path member(String member, int startDays, int days, List<String> hosts) {
        KeyPair pair = newKeyPair();
        Instant start = Instant.now().plus(Duration.ofDays(startDays)).minus(Duration.ofMinutes(5)); // clock skew
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(), Date.from(start),
                    Date.from(start.plus(Duration.ofDays(days))), new X500Name("CN=" + member), pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
            if (!hosts.isEmpty()) {
                GeneralName[] names = hosts.stream().map(RunCertificates::altName).toArray(GeneralName[]::new);
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            Path file = keyStore(dir, member);
            writeKeyStore(file, false, member, pair.getPrivate(), sign(b, caKey), caCert);
            return file;
        } catch (IOException e) {
            throw new BadInputException(dir + ": cannot write (" + e.getMessage() + ")");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the certificate of " + member, e);
        }
    }

    /** Every listed member's key store. */
    public List<Path> members(List<String> names, int startDays, int days, List<String> hosts) {
        return names.stream().map(n -> member(n, startDays, days, hosts)).toList();
    }

    /** "127.0.0.1" → an IP address name, "coordinator" → a DNS name. */
    static GeneralName altName(String host) {
        if (host.isBlank() || !host.matches("[A-Za-z0-9.:-]+")) {
            throw new BadInputException("--hosts: '" + host + "' is not a host name or address");
        }
        boolean ip = host.matches("[0-9.]+") || host.contains(":");
        return new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, host);
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign with " + SIGNATURE, e);
        }
    }

    /**
     * A member's store is readable by everyone (mode 644: a container's user must read it from a
     * mounted directory); its key is encrypted with the password, which stays in a mode-600 file.
     */
    private void writeKeyStore(Path file, boolean ownerOnly, String alias, PrivateKey key, X509Certificate... chain)
            throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(alias, key, password.toCharArray(), (Certificate[]) chain);
        store(ks, file, ownerOnly);
    }

    private void store(KeyStore ks, Path file, boolean ownerOnly) throws IOException, GeneralSecurityException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        ks.store(bytes, password.toCharArray());
        write(file, bytes.toByteArray(), ownerOnly);
    }

    /** Writes a file, mode 600 when {@code ownerOnly} else 644 (where the file system has POSIX permissions). */
    private static void write(Path file, byte[] content, boolean ownerOnly) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(ownerOnly ? "rw-------" : "rw-r--r--")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(content);
        }
    }
}
