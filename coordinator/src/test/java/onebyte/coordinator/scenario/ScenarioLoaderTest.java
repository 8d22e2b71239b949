package onebyte.coordinator.scenario;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import onebyte.core.fed.FedSpeedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScenarioLoaderTest {
    static final Path SCENARIOS = Path.of("..", "scenarios");
    final ScenarioLoader loader = new ScenarioLoader();

    static Stream<Path> shipped() throws IOException {
        return Files.list(SCENARIOS).filter(p -> p.toString().endsWith(".conf")).sorted();
    }

    /** Exit code of scripts/fetch-data.sh all (3 = a registry cannot be reached). */
    static int fetchRc = -1;

    @org.junit.jupiter.api.BeforeAll
    static void fetchTheShippedScenariosData() throws Exception {
        Process p = new ProcessBuilder(Path.of("..", "scripts", "fetch-data.sh").toString(), "all").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        fetchRc = p.waitFor();
    }

    @ParameterizedTest
    @MethodSource("shipped")
    void everyShippedScenarioValidatesAndHasAPossibleHistory(Path file) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeFalse(fetchRc == 3 && Files.readString(file).contains("../data/"),
                () -> file + " reads data that scripts/fetch-data.sh could not fetch (a registry cannot be reached)");
        Scenario s = loader.load(file, List.of());
        ChurnSchedule schedule = ChurnSchedule.resolve(s);
        assertTrue(schedule.initialNodes() >= 3);
        assertFalse(s.resolved().isBlank());
    }

    @Test
    void theSixRequiredScenariosAreShipped() {
        for (String name : List.of("quickstart", "churn-heavy", "non-iid", "lm-finetune", "low-bandwidth", "large-cluster")) {
            assertTrue(Files.isRegularFile(SCENARIOS.resolve(name + ".conf")), name);
        }
        assertTrue(loader.load(SCENARIOS.resolve("large-cluster.conf"), List.of()).nodes().initial() >= 32);
    }

    @Test
    void overridesWinOverTheFileAndDefaultsFillTheRest() {
        Scenario s = loader.load(SCENARIOS.resolve("quickstart.conf"), List.of("spsa.lr=5e-4", "nodes.initial=6"));
        assertEquals(5e-4, s.spsa().lr());
        assertEquals(6, s.nodes().initial());
        assertEquals("quickstart", s.run().id());
        assertEquals(1e-3, s.spsa().eps());
        assertEquals(10.0, s.nodes().classes().get("default").uplinkMbps());
        assertEquals(FedSpeedServer.Form.PAPER, s.fedspeed().server());
        assertEquals(FedSpeedServer.Form.SIMULATOR,
                loader.load(SCENARIOS.resolve("non-iid.conf"), List.of("fedspeed.server=simulator")).fedspeed().server());
    }

    static Stream<Arguments> broken() {
        return Stream.of(
                Arguments.of("spsa {\n  lr = 1e-3\n  lrr = 2\n}\n", 3, "spsa.lrr", "unknown key"),
                Arguments.of("budget.rounds = 10\nspsa.eps = fast\n", 2, "spsa.eps", "expected a number"),
                Arguments.of("\n\nspsa.samples = 0\n", 3, "spsa.samples", "1..1024"),
                Arguments.of("run.algorithms = [spsa, fedsped]\n", 1, "run.algorithms", "unknown algorithm 'fedsped'"),
                Arguments.of("model.kind = resnet\n", 1, "model.kind", "expected one of logreg, mlp, transformer-lm"),
                Arguments.of("data.partition = \"dirichlet:-1\"\n", 1, "data.partition", "dirichlet:ALPHA"),
                Arguments.of("fedspeed.participation = 1.5\n", 1, "fedspeed.participation", "(0, 1]"),
                Arguments.of("fedspeed.server = feddyn\n", 1, "fedspeed.server", "expected one of paper, simulator"),
                Arguments.of("spsa.round-deadline = soon\n", 1, "spsa.round-deadline", "duration"),
                Arguments.of("nodes.classes.edge { uplink-mbps = 1, bandwidth = 3 }\n", 1, "nodes.classes.edge.bandwidth", "unknown key"),
                Arguments.of("churn.events = [\n  { round = 5, action = explode }\n]\n", 2, "churn.events.action", "join, leave, crash or rejoin"),
                Arguments.of("churn.events = [\n  { round = 5, action = crash, node = 2, colour = red }\n]\n", 2, "churn.events.colour", "unknown event key"),
                Arguments.of("nodes.class = edge\n", 1, "nodes.class", "expected one of the classes"),
                Arguments.of("model.checkpoint = \"/no/such/file.ckpt\"\n", 1, "model.checkpoint", "no such checkpoint"),
                Arguments.of("nodes.initial = 2\n", 1, "nodes.initial", "at least 3"),
                Arguments.of("clock.costs = sometimes\n", 1, "clock.costs", "expected one of fixed, measured"),
                Arguments.of("clock {\n  forward-us = -1\n}\n", 2, "clock.forward-us", "expected a number >= 0"),
                Arguments.of("budget.bytes = -5\n", 1, "budget.bytes", "0 = no limit"));
    }

    @ParameterizedTest
    @MethodSource("broken")
    void brokenScenariosFailWithFileLineKeyAndExpectation(String text, int line, String key, String expected, @TempDir Path dir) throws IOException {
        Path f = dir.resolve("broken.conf");
        Files.writeString(f, text);
        ScenarioException e = assertThrows(ScenarioException.class, () -> loader.load(f, List.of()));
        assertEquals(f + ":" + line, e.where(), e.getMessage());
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aSyntaxErrorNamesItsLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("syntax.conf");
        Files.writeString(f, "spsa {\n  lr = 1e-3\n  eps = [1, \n");
        ScenarioException e = assertThrows(ScenarioException.class, () -> loader.load(f, List.of()));
        assertTrue(e.where().startsWith(f.toString() + ":"), e.getMessage());
    }

    @Test
    void impossibleChurnFailsWithTheEventsLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("churn.conf");
        Files.writeString(f, "nodes.initial = 4\nchurn.events = [\n  { at = 1s, action = join }\n  { at = 2s, action = crash, node = 9 }\n]\n");
        Scenario s = loader.load(f, List.of());
        ScenarioException e = assertThrows(ScenarioException.class, () -> ChurnSchedule.resolve(s));
        assertEquals(f + ":4", e.where(), e.getMessage());
        assertTrue(e.getMessage().contains("node 9"), e.getMessage());

        Files.writeString(f, "churn.events = [\n  { at = 1s, action = leave, node = 1 }\n  { at = 2s, action = leave, node = 1 }\n]\n");
        Scenario twice = loader.load(f, List.of());
        assertEquals(f + ":3", assertThrows(ScenarioException.class, () -> ChurnSchedule.resolve(twice)).where());

        Files.writeString(f, "churn.events = [\n  { at = 1s, action = rejoin, node = 3 }\n]\n");
        Scenario rejoin = loader.load(f, List.of());
        assertTrue(assertThrows(ScenarioException.class, () -> ChurnSchedule.resolve(rejoin)).getMessage().contains("has not left"));
    }

    @Test
    void explicitEventsGetConcreteIdsInTimeOrder(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("ids.conf");
        Files.writeString(f, "nodes.initial = 4\nchurn.events = [\n  { at = 9s, action = rejoin, node = 2 }\n"
                + "  { at = 1s, action = join, count = 2 }\n  { at = 5s, action = crash, node = 2 }\n]\n");
        ChurnSchedule s = ChurnSchedule.resolve(loader.load(f, List.of()));
        assertEquals(List.of(5, 6, 2, 2), s.events().stream().map(ChurnEvent::nodeId).toList());
        assertEquals(List.of(ChurnEvent.Action.JOIN, ChurnEvent.Action.JOIN, ChurnEvent.Action.CRASH, ChurnEvent.Action.REJOIN),
                s.events().stream().map(ChurnEvent::action).toList());
    }

    @Test
    void aJoinGetsTheInitialClassUnlessItNamesOneAndARejoinKeepsItsClass(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("classes.conf");
        Files.writeString(f, "nodes.initial = 4\nnodes.classes.slow { uplink-mbps = 0.1, downlink-mbps = 1, latency-ms = 100 }\n"
                + "churn.events = [\n  { at = 1s, action = join }\n  { at = 2s, action = join, class = slow }\n"
                + "  { at = 3s, action = leave, node = 6 }\n  { at = 4s, action = rejoin, node = 6 }\n"
                + "  { at = 5s, action = crash, node = 1 }\n  { at = 6s, action = rejoin, node = 1 }\n]\n");
        ChurnSchedule s = ChurnSchedule.resolve(loader.load(f, List.of()));
        List<String> joins = s.events().stream().filter(e -> e.action() != ChurnEvent.Action.LEAVE && e.action() != ChurnEvent.Action.CRASH)
                .map(e -> e.nodeId() + ":" + e.nodeClass()).toList();
        assertEquals(List.of("5:default", "6:slow", "6:slow", "1:default"), joins);
    }

    @Test
    void theClockIsFixedByDefaultAndMeasuredCostsRerunExactlyWithTheirOverrides(@TempDir Path dir) throws IOException {
        Scenario s = loader.load(SCENARIOS.resolve("quickstart.conf"), List.of());
        assertFalse(s.clock().measured());
        assertTrue(s.clock().forwardUs() > 0 && s.clock().gradientUs() > 0 && s.clock().elementNs() > 0);
        assertTrue(loader.load(SCENARIOS.resolve("lm-finetune.conf"), List.of()).clock().forwardUs() > 10 * s.clock().forwardUs(),
                "a transformer states its own costs");

        Scenario measuring = loader.load(SCENARIOS.resolve("quickstart.conf"), List.of("clock.costs=measured"));
        Scenario.Clock measured = Scenario.Clock.fromMeasurement(new onebyte.coordinator.clock.VirtualClock.WorkCosts(4.123456e-5, 1.2e-4,
                2.718281828e-9));
        assertEquals(41.23, measured.forwardUs());
        assertEquals(2.718, measured.elementNs());
        Scenario recorded = measuring.withClock(measured);
        Path f = dir.resolve("recorded.conf");
        Files.writeString(f, recorded.resolved());
        Scenario reread = loader.load(f, List.of());
        assertEquals(measured, reread.clock(), "the run directory's scenario.conf holds the costs the run used");
        Scenario rerun = loader.load(f, measured.fixedSettings());
        assertFalse(rerun.clock().measured());
        assertEquals(measured.costs(), rerun.clock().costs(), "rerunning with the printed overrides uses the very same costs");
    }

    @Test
    void randomChurnIsTheSameForTheSameSeedAndDiffersForAnother() {
        Path f = SCENARIOS.resolve("churn-heavy.conf");
        ChurnSchedule a = ChurnSchedule.resolve(loader.load(f, List.of()));
        ChurnSchedule b = ChurnSchedule.resolve(loader.load(f, List.of()));
        ChurnSchedule c = ChurnSchedule.resolve(loader.load(f, List.of("run.seed=7")));
        assertTrue(a.events().size() >= 5, "churn-heavy should churn: " + a.events());
        assertEquals(a, b);
        assertNotEquals(a.events(), c.events());
        assertTrue(a.events().stream().anyMatch(e -> e.action() == ChurnEvent.Action.CRASH));
        assertTrue(a.events().stream().anyMatch(e -> e.action() == ChurnEvent.Action.JOIN));
    }

    @Test
    void anAvailabilityTraceBecomesJoinsLeavesAndRejoins(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("trace.csv");
        Files.writeString(trace, "node,online_from_s,online_until_s\na,0,100\nb,0,30\nc,0,100\nb,50,100\nd,20,100\n");
        Path f = dir.resolve("t.conf");
        Files.writeString(f, "churn.trace = \"" + trace + "\"\n");
        ChurnSchedule s = ChurnSchedule.resolve(loader.load(f, List.of()));
        assertEquals(3, s.initialNodes());
        List<String> got = s.events().stream().filter(e -> e.atSeconds() < 100).map(ChurnEvent::toString).toList();
        assertEquals(List.of("t=20.000s join node 4 (auto, default)", "t=30.000s leave node 2", "t=50.000s rejoin node 2 (auto, default)"), got);

        Files.writeString(trace, "node,online_from_s,online_until_s\na,0,100\na,50,60\n");
        ScenarioException e = assertThrows(ScenarioException.class, () -> ChurnSchedule.resolve(loader.load(f, List.of())));
        assertEquals(trace + ":3", e.where());
    }
}
