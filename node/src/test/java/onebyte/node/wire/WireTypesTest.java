package onebyte.node.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.GeneratedMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import onebyte.proto.Commit;
import onebyte.proto.Contribution;
import org.junit.jupiter.api.Test;

class WireTypesTest {
    @Test
    void everyTypeHasItsOwnManifestAndRoundTrips() throws Exception {
        Set<String> manifests = new HashSet<>();
        for (Class<? extends GeneratedMessage> c : WireTypes.classes()) {
            String m = WireTypes.manifest(c);
            assertTrue(manifests.add(m), "manifest " + m + " used twice");
            assertTrue(m.length() <= 2, m);
            GeneratedMessage empty = (GeneratedMessage) c.getMethod("getDefaultInstance").invoke(null);
            assertEquals(empty, WireTypes.parse(m, empty.toByteArray()));
        }
        assertEquals(22, manifests.size()); // 14 SPSA + 8 federated
    }

    @Test
    void contributionPayloadStaysSmall() throws Exception {
        Contribution first = Contribution.newBuilder().setVersion(Wire.VERSION).setRound(12_345).setNodeId(17).setSample(0)
                .setCode(ByteString.copyFrom(new byte[] {(byte) 0x93})).setReplicaHash(0xCAFEBABE).build();
        Contribution later = first.toBuilder().setSample(7).clearReplicaHash().build();
        // version 2 + round 3 (varint 12345) + node 2 + code 3 + hash 5 (sample 0 is omitted)
        assertEquals(15, first.getSerializedSize());
        // version 2 + round 3 + node 2 + sample 2 + code 3
        assertEquals(12, later.getSerializedSize());
        assertEquals(14, first.toBuilder().setRound(40).build().getSerializedSize());
        assertEquals(first, WireTypes.parse("C", first.toByteArray()));
    }

    @Test
    void truncatedFramesDoNotParse() {
        Commit c = Commit.newBuilder().setVersion(Wire.VERSION).setRound(3).addNodeIds(1).addNodeIds(2).addSamples(0).addSamples(0)
                .setCodes(ByteString.copyFrom(new byte[] {1, 2})).setN(2).setLr(0.01).build();
        byte[] b = c.toByteArray();
        assertThrows(InvalidProtocolBufferException.class, () -> WireTypes.parse("K", Arrays.copyOf(b, b.length - 3)));
        assertThrows(InvalidProtocolBufferException.class, () -> WireTypes.parse("??", b));
    }

    @Test
    void floatsAndHashesConvert() {
        float[] v = {1.5f, -0f, Float.MIN_VALUE, 3e38f};
        byte[] bytes = Wire.floatsToBytes(v, 0, v.length);
        float[] back = new float[4];
        assertEquals(4, Wire.bytesToFloats(bytes, back, 0));
        for (int i = 0; i < 4; i++) {
            assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(back[i]));
        }
        byte[] digest = new byte[32];
        digest[0] = (byte) 0x80;
        digest[7] = 1;
        assertEquals(0x8000000000000001L, Wire.hash8(digest));
        assertEquals(0x80000000, Wire.hash4(Wire.hash8(digest)));
    }
}
