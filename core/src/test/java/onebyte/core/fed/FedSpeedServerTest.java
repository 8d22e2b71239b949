package onebyte.core.fed;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import onebyte.core.data.Dataset;
import onebyte.core.data.InMemoryDataset;
import onebyte.core.data.Partitioner;
import onebyte.core.data.SyntheticClassification;
import onebyte.core.model.Model;
import onebyte.core.model.ModelSpec;
import onebyte.core.model.Models;
import onebyte.core.tensor.ParameterVector;
import org.junit.jupiter.api.Test;

/**
 * The two server forms with participation 0.5: four real {@link FedSpeedClient}s on label-skewed
 * shards of a real MLP task, two of them sampled per round.
 */
class FedSpeedServerTest {
    private static final FedSpeedParams P = new FedSpeedParams(2, 0.1, 1.0, 0.1, 0.05, 1.0, 16, true);
    private static final int[][] SAMPLED = {{0, 1}, {2, 3}, {0, 2}, {1, 3}};

    private static final ModelSpec spec = ModelSpec.mlp(6, List.of(8), 3, "tanh");
    private static final Model model = Models.create(spec);
    private static final List<Dataset> shards = new ArrayList<>();

    static {
        InMemoryDataset pool = new SyntheticClassification(6, 3, 0.5, 1).targetTrain(800, 1);
        Partitioner skew = Partitioner.parse("dirichlet:0.3,shards=4");
        for (int node = 1; node <= 4; node++) shards.add(skew.shard(pool, 5, node));
    }

    /** One run of {@link #SAMPLED} from the same x^0; checks every client's ĝ_i and, if asked, each server step; returns the last x. */
    private ParameterVector run(FedSpeedServer.Form form, boolean checkAgainstClients) {
        FedSpeedClient[] clients = new FedSpeedClient[4];
        for (int i = 0; i < 4; i++) clients[i] = new FedSpeedClient();
        FedSpeedServer server = new FedSpeedServer(form);
        Set<Integer> members = Set.of(0, 1, 2, 3);
        ParameterVector x = Models.initialParameters(spec, 2);
        int d = x.length();
        for (int t = 0; t < SAMPLED.length; t++) {
            ParameterVector[] dualsBefore = new ParameterVector[4];
            for (int i = 0; i < 4; i++) dualsBefore[i] = clients[i].dualState(d);
            TreeMap<Integer, ParameterVector> returned = new TreeMap<>();
            for (int i : SAMPLED[t]) returned.put(i, clients[i].localRound(model, x, shards.get(i), P, 100L * t + i));
            for (int i = 0; i < 4; i++) {
                int id = i;
                boolean sampled = returned.containsKey(id);
                if (!sampled) {
                    assertTrue(clients[i].dualState(d).bitEquals(dualsBefore[i]), "a client that sat out keeps its ĝ_i");
                } else if (t > 0) {
                    assertFalse(clients[i].dualState(d).bitEquals(dualsBefore[i]), "a sampled client moves its ĝ_i");
                }
            }
            ParameterVector next = server.next(t, x, returned, members);
            if (checkAgainstClients) check(form, server, clients, returned, x, next, d);
            x = next;
        }
        return x;
    }

    /** The server step against the clients' own state: x_K,i = x̂_i + λ·ĝ_i', h_i = −λ·ĝ_i. */
    private static void check(FedSpeedServer.Form form, FedSpeedServer server, FedSpeedClient[] clients,
                              TreeMap<Integer, ParameterVector> returned, ParameterVector xt, ParameterVector next, int d) {
        double lambda = 1 / P.invLambda();
        double[] expected = new double[d];
        for (var e : returned.entrySet()) {
            ParameterVector dual = clients[e.getKey()].dualState(d);
            for (int j = 0; j < d; j++) {
                double xk = e.getValue().get(j) + lambda * dual.get(j);
                expected[j] += (form == FedSpeedServer.Form.PAPER ? e.getValue().get(j) : xk) / returned.size();
            }
        }
        if (form == FedSpeedServer.Form.SIMULATOR) {
            for (int i = 0; i < 4; i++) {
                ParameterVector dual = clients[i].dualState(d);
                ParameterVector h = server.dualOf(i, d);
                for (int j = 0; j < d; j++) {
                    assertEquals(-lambda * dual.get(j), h.get(j), 2e-4, "server's h_" + i + " = −λ·ĝ_" + i + " (sat out or not)");
                    expected[j] += -lambda * dual.get(j) / 4; // every member's dual, those that sat out included
                }
            }
        }
        double maxDiff = 0;
        double moved = 0;
        for (int j = 0; j < d; j++) {
            maxDiff = Math.max(maxDiff, Math.abs(expected[j] - next.get(j)));
            moved = Math.max(moved, Math.abs(next.get(j) - xt.get(j)));
        }
        assertTrue(maxDiff < 2e-4, form + ": server step off by " + maxDiff);
        assertTrue(moved > 1e-3, "the model moved");
    }

    @Test
    void paperFormIsTheMeanOfTheReturnedXHatAndSatOutClientsKeepTheirDuals() {
        run(FedSpeedServer.Form.PAPER, true);
    }

    @Test
    void simulatorFormAddsTheMeanOfAllMembersDualsThoseThatSatOutIncluded() {
        run(FedSpeedServer.Form.SIMULATOR, true);
    }

    @Test
    void theFormsDifferWithPartialParticipation() {
        ParameterVector paper = run(FedSpeedServer.Form.PAPER, false);
        ParameterVector simulator = run(FedSpeedServer.Form.SIMULATOR, false);
        assertTrue(paper.array().distance2(simulator.array()) > 1e-3);
    }

    @Test
    void withEveryMemberReturningTheSimulatorFormIsThePaperForm() {
        FedSpeedClient[] a = {new FedSpeedClient(), new FedSpeedClient()};
        FedSpeedClient[] b = {new FedSpeedClient(), new FedSpeedClient()};
        FedSpeedServer paper = new FedSpeedServer(FedSpeedServer.Form.PAPER);
        FedSpeedServer simulator = new FedSpeedServer(FedSpeedServer.Form.SIMULATOR);
        ParameterVector xp = Models.initialParameters(spec, 2);
        ParameterVector xs = xp.copy();
        for (int t = 0; t < 3; t++) {
            TreeMap<Integer, ParameterVector> rp = new TreeMap<>();
            TreeMap<Integer, ParameterVector> rs = new TreeMap<>();
            for (int i = 0; i < 2; i++) {
                rp.put(i, a[i].localRound(model, xp, shards.get(i), P, t * 10L + i));
                rs.put(i, b[i].localRound(model, xs, shards.get(i), P, t * 10L + i));
            }
            xp = paper.next(t, xp, rp, Set.of(0, 1));
            xs = simulator.next(t, xs, rs, Set.of(0, 1));
            assertTrue(xp.array().equalsWithEps(xs.array(), 1e-5), "round " + t);
        }
    }

    @Test
    void aClientThatIsNoLongerAMemberLosesItsDualOnTheServer() {
        FedSpeedServer server = new FedSpeedServer(FedSpeedServer.Form.SIMULATOR);
        ParameterVector x = ParameterVector.of(new float[] {0, 0});
        TreeMap<Integer, ParameterVector> r = new TreeMap<>();
        r.put(1, ParameterVector.of(new float[] {2, 4}));
        r.put(2, ParameterVector.of(new float[] {-2, 0}));
        ParameterVector next = server.next(0, x, r, Set.of(1, 2, 3));
        // h_1 = (1, 2), h_2 = (−1, 0); x_K: (1, 2) and (−1, 0); mean_P x_K = (0, 1); mean over 3 members of h = (0, 2/3)
        assertArrayEquals(new float[] {0, 1 + 2f / 3}, next.toArray(), 1e-6f);
        assertEquals(Set.of(1, 2), server.clientsWithDuals());
        TreeMap<Integer, ParameterVector> r2 = new TreeMap<>();
        r2.put(3, ParameterVector.of(new float[] {0, 0}));
        server.next(1, next, r2, Set.of(1, 3)); // 2 left
        assertEquals(Set.of(1, 3), server.clientsWithDuals());
        assertThrows(IllegalArgumentException.class, () -> server.next(2, next, r, Set.of(1)));
    }
}
