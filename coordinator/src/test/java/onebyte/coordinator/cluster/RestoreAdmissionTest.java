package onebyte.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import onebyte.proto.JoinRequest;
import onebyte.proto.StateMember;
import onebyte.proto.SyncMode;
import org.junit.jupiter.api.Test;

/**
 * Whom a resumed coordinator takes back before its first round: by rejoin (multi-process), a
 * restored member's id once, by replay from its replica's round when the replica's hash is the
 * coordinator's after that round, else by snapshot; fresh nodes, nodes of another run, ids it does
 * not wait for and a second claim of an id are refused (they join as fresh nodes once the run goes
 * on). In order (embedded), each join takes the next restored id, by snapshot.
 */
class RestoreAdmissionTest {
    private static final long SEED = 42;
    private static final Map<Long, Long> HASHES = Map.of(0L, 0xa0L, 19L, 0xa19L, 20L, 0xa20L);
    private static final List<StateMember> MEMBERS = List.of(member(1, "fast"), member(3, "fast"), member(4, "slow"));

    private static StateMember member(int id, String cls) {
        return StateMember.newBuilder().setNodeId(id).setNodeClass(cls).build();
    }

    private static JoinRequest returning(int id, long round, long hash, long seed) {
        return JoinRequest.newBuilder().setRejoinNodeId(id).setReplicaRound(round).setReplicaHash(hash).setRunSeed(seed).build();
    }

    private static RestoreAdmission.Claim claim(RestoreAdmission a, JoinRequest j) {
        return a.claim(j, "fast", SEED, 20, HASHES);
    }

    @Test
    void returningMembersGetTheirIdsBackByReplayWhenTheirReplicaIsTheCoordinatorsElseBySnapshot() {
        RestoreAdmission a = RestoreAdmission.byRejoin(MEMBERS, Duration.ofSeconds(60));
        RestoreAdmission.Claim behind = claim(a, returning(3, 19, 0xa19L, SEED));
        assertEquals(new RestoreAdmission.Claim(3, SyncMode.SYNC_REPLAY, 19, null), behind);
        assertEquals(new RestoreAdmission.Claim(1, SyncMode.SYNC_REPLAY, 20, null), claim(a, returning(1, 20, 0xa20L, SEED)));
        assertEquals(SyncMode.SYNC_SNAPSHOT, claim(a, returning(4, 20, 0xbadL, SEED)).mode(), "another θ of round 20");
        assertTrue(a.allBack());
        assertEquals(List.of(), a.giveUp());
    }

    @Test
    void aReplicaAheadOfTheLogIsResyncedBySnapshot() {
        RestoreAdmission a = RestoreAdmission.byRejoin(MEMBERS, Duration.ofSeconds(60));
        assertEquals(new RestoreAdmission.Claim(4, SyncMode.SYNC_SNAPSHOT, 0, null), claim(a, returning(4, 21, 0xa20L, SEED)));
    }

    @Test
    void freshNodesOtherRunsUnknownIdsAndSecondClaimsAreRefused() {
        RestoreAdmission a = RestoreAdmission.byRejoin(MEMBERS, Duration.ofSeconds(60));
        assertTrue(claim(a, JoinRequest.newBuilder().build()).refusal().startsWith("a fresh node"));
        assertTrue(claim(a, returning(1, 20, 0xa20L, SEED + 1)).refusal().startsWith("a fresh node"), "another run's node 1");
        assertTrue(claim(a, returning(2, 20, 0xa20L, SEED)).refusal().contains("node 2 is not a member"));
        assertNull(claim(a, returning(1, 20, 0xa20L, SEED)).refusal());
        assertTrue(claim(a, returning(1, 20, 0xa20L, SEED)).refusal().contains("node 1 is not a member"), "id 1 is taken");
        assertEquals(List.of(3, 4), a.giveUp(), "those that did not come back");
        assertTrue(a.allBack());
    }

    @Test
    void inOrderEachJoinTakesTheNextRestoredIdBySnapshot() {
        RestoreAdmission a = RestoreAdmission.inOrder(MEMBERS);
        assertEquals(new RestoreAdmission.Claim(1, SyncMode.SYNC_SNAPSHOT, 0, null), claim(a, JoinRequest.newBuilder().build()));
        assertEquals(3, claim(a, returning(7, 20, 0xa20L, SEED)).nodeId(), "rejoin fields do not matter in order");
        assertTrue(claim(a, JoinRequest.newBuilder().build()).refusal().contains("expected node 4 of class slow"));
        assertNull(a.rejoinWait());
    }
}
