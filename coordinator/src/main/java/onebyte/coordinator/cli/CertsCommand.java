package onebyte.coordinator.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import onebyte.coordinator.tls.RunCertificates;
import onebyte.core.input.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code onebyte certs --out DIR}: the certificates of a TLS cluster, made with the JDK's keytool
 * (see {@link RunCertificates} for the files). With {@code --names}, adds members to the CA
 * already in DIR instead (e.g. a late node, or with {@code --start-days -10 --days 1} an expired
 * certificate to check that the cluster refuses it).
 */
@Command(name = "certs", mixinStandardHelpOptions = true,
        description = "Make a CA and PKCS#12 key stores for a TLS cluster (coordinator.p12, node-1.p12 ...).")
public final class CertsCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write (created; must hold no CA unless --names).")
    Path out;
    @Option(names = "--nodes", defaultValue = "3", description = "Node key stores node-1.p12 ... node-N.p12 (default ${DEFAULT-VALUE}).")
    int nodes;
    @Option(names = "--days", defaultValue = "365", description = "Days the certificates are valid (default ${DEFAULT-VALUE}).")
    int days;
    @Option(names = "--start-days", defaultValue = "0",
            description = "Days from now the member certificates become valid; negative = in the past (default 0).")
    int startDays;
    @Option(names = "--hosts", split = ",", defaultValue = "localhost,127.0.0.1,coordinator",
            description = "Names and addresses put in every member certificate's subjectAltName (default ${DEFAULT-VALUE}).")
    List<String> hosts;
    @Option(names = "--names", split = ",", paramLabel = "NAME",
            description = "Only add these members' key stores (NAME.p12) to the CA already in --out.")
    List<String> names;

    @Override
    public Integer call() {
        if (days < 1 || days > 36500) {
            throw new BadInputException("--days must be 1..36500, got " + days);
        }
        if (nodes < 0 || nodes > 1000) {
            throw new BadInputException("--nodes must be 0..1000, got " + nodes);
        }
        List<String> members = new ArrayList<>();
        RunCertificates ca;
        if (names != null && !names.isEmpty()) {
            for (String n : names) {
                if (!n.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                    throw new BadInputException("--names: '" + n + "' is not a file name of letters, digits, '.', '_' and '-'");
                }
            }
            ca = RunCertificates.existing(out);
            members.addAll(names);
        } else {
            String env = System.getenv("ONEBYTE_TLS_PASSWORD");
            ca = RunCertificates.newAuthority(out, env == null || env.isEmpty() ? RunCertificates.randomPassword() : env,
                    Math.max(days, startDays + days));
            members.add("coordinator");
            for (int i = 1; i <= nodes; i++) {
                members.add("node-" + i);
            }
        }
        ca.members(members, startDays, days, hosts);
        System.out.println("wrote " + String.join(", ", members.stream().map(m -> m + ".p12").toList()) + " to " + out
                + (names == null || names.isEmpty() ? " (with ca.p12, ca.crt, truststore.p12, password)" : ""));
        return 0;
    }
}
