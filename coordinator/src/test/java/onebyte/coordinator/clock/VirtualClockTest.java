package onebyte.coordinator.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualClockTest {
    @Test
    void aRoundLastsAsLongAsItsSlowestParticipantPlusTheCoordinator() {
        VirtualClock clock = new VirtualClock(new VirtualClock.WorkCosts(0.002, 0.005, 1e-8));
        // SPSA-like: 2 forward passes, 4 directions of 1e6 regenerated, 9 bytes up, 40 down, 10 Mbit/s, 10 ms
        var fast = new VirtualClock.ParticipantWork(2, 0, 4_000_000, 9, 40, 10, 10, 10);
        // FedAvg-like over a slow uplink: 10 gradient steps, 4 MB up and down at 1 Mbit/s up, 100 down, 50 ms
        var slow = new VirtualClock.ParticipantWork(0, 10, 0, 4_000_000, 4_000_000, new NodeLinks.Links(1, 100, 50));
        double spsa = 2 * 0.002 + 0.04 + 9 * 8 / 1e7 + 40 * 8 / 1e7 + 2 * 0.010; // latency one way, paid out and back
        double fed = 10 * 0.005 + 32.0 + 0.32 + 2 * 0.050;
        assertEquals(spsa, clock.participantSeconds(fast), 1e-12);
        assertEquals(fed, clock.participantSeconds(slow), 1e-12);
        assertEquals(fed + 0.1, clock.roundSeconds(List.of(fast, slow), 0.1, 0), 1e-12);
        assertEquals(spsa, clock.roundSeconds(List.of(fast), 0, 0), 1e-12);
        // a round that lost a participant lasts at least its deadline; one without anybody, exactly the deadline
        assertEquals(5, clock.roundSeconds(List.of(fast), 0, 5), 1e-12);
        assertEquals(5, clock.roundSeconds(List.of(), 0, 5), 1e-12);
        clock.advanceBy(spsa);
        clock.advanceBy(5);
        assertEquals(spsa + 5, clock.now(), 1e-12);
    }

    @Test
    void aBudgetStopsAfterTheRoundThatReachesIt() {
        RunBudget b = new RunBudget(100, 2.5, 10_000);
        assertNull(b.reached(10, 2.4, 9_999));
        assertEquals(RunBudget.Stop.VIRTUAL_SECONDS, b.reached(11, 2.5, 500));
        assertEquals(RunBudget.Stop.BYTES, b.reached(11, 1.0, 10_000));
        assertEquals(RunBudget.Stop.ROUNDS, b.reached(100, 3.0, 20_000));
        RunBudget roundsOnly = new RunBudget(100, 0, 0);
        assertNull(roundsOnly.reached(99, 1e9, Long.MAX_VALUE));
    }
}
