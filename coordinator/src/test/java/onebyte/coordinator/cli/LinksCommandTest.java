package onebyte.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code onebyte links}: one line per initial node with the scenario's link, as netns-cluster.sh reads it. */
class LinksCommandTest {
    @Test
    void printsEveryInitialNodeWithItsClassLink() {
        RunCommandTest.Console c = RunCommandTest.Console.execute("links", "../scenarios/low-bandwidth.conf");
        assertEquals(0, c.code(), c.out());
        assertEquals("1 edge 150 0.064 1\n2 edge 150 0.064 1\n3 edge 150 0.064 1\n"
                + "4 edge 150 0.064 1\n5 edge 150 0.064 1\n6 edge 150 0.064 1\n", c.out().replace("\r\n", "\n"));
    }

    @Test
    void overridesApplyAsInTheCoordinator() {
        RunCommandTest.Console c = RunCommandTest.Console.execute("links", "../scenarios/quickstart.conf",
                "--set", "nodes.initial=3", "--set", "nodes.classes.default.latency-ms=20", "--set", "nodes.classes.default.uplink-mbps=2.5");
        assertEquals(0, c.code(), c.out());
        assertEquals("1 default 20 2.5 10\n2 default 20 2.5 10\n3 default 20 2.5 10\n", c.out().replace("\r\n", "\n"));
    }

    @Test
    void anAvailabilityTraceSetsTheInitialMembershipLikeTheCoordinator(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("trace.csv");
        Files.writeString(trace, "node,online_from_s,online_until_s\n1,0,100\n2,0,100\n3,0,100\n4,0,100\n5,0,100\n6,50,100\n");
        RunCommandTest.Console c = RunCommandTest.Console.execute("links", "../scenarios/quickstart.conf",
                "--set", "churn.events=[]", "--set", "churn.trace=\"" + trace + "\"");
        assertEquals(0, c.code(), c.out());
        assertEquals(5, c.out().lines().count(), c.out());
    }

    @Test
    void anInvalidScenarioFailsWithTheLoadersMessage() {
        RunCommandTest.Console c = RunCommandTest.Console.execute("links", "../scenarios/quickstart.conf", "--set",
                "nodes.classes.default.latency-ms=-1");
        assertEquals(2, c.code());
        assertEquals("", c.out());
        String e = c.err();
        assertTrue(e.contains("invalid scenario") && e.contains("nodes.classes.default.latency-ms"), e);
    }

    @Test
    void numbersArePlainDecimals() {
        assertEquals("10", LinksCommand.plain(10.0));
        assertEquals("0.064", LinksCommand.plain(0.064));
        assertEquals("0", LinksCommand.plain(0.0));
        assertEquals("100000", LinksCommand.plain(1e5));
    }
}
