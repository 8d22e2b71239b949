package onebyte.core.model;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import onebyte.core.tensor.ParameterVector;
import onebyte.proto.CheckpointFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir Path dir;

    private final ModelSpec spec = ModelSpec.mlp(5, List.of(7), 3, "relu");

    private Path written() throws IOException {
        Path f = dir.resolve("ck.pb");
        new Checkpoint(spec, Models.initialParameters(spec, 42), 42, Map.of("data", "synthetic", "steps", "10")).write(f);
        return f;
    }

    @Test
    void roundTripGivesTheSameBitsSpecAndMetadata() throws IOException {
        Path f = written();
        Checkpoint a = Checkpoint.read(f);
        Checkpoint b = Checkpoint.read(f);
        assertEquals(spec, a.spec());
        assertEquals(42, a.seed());
        assertEquals("synthetic", a.metadata().get("data"));
        assertTrue(a.parameters().bitEquals(Models.initialParameters(spec, 42)));
        assertArrayEquals(a.parameters().hash(), b.parameters().hash());
    }

    @Test
    void missingFile() {
        var e = assertThrows(Checkpoint.CheckpointException.class, () -> Checkpoint.read(dir.resolve("nope.pb")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void garbageBytes() throws IOException {
        Path f = dir.resolve("junk.pb");
        Files.write(f, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02});
        var e = assertThrows(Checkpoint.CheckpointException.class, () -> Checkpoint.read(f));
        assertTrue(e.getMessage().contains("junk.pb"), e.getMessage());
    }

    @Test
    void flippedParameterBitIsACheckSumMismatch() throws IOException {
        Path f = written();
        CheckpointFile msg = CheckpointFile.parseFrom(Files.readAllBytes(f));
        byte[] data = msg.getTensors(0).getData().toByteArray();
        data[5] ^= 0x10;
        CheckpointFile bad = msg.toBuilder()
                .setTensors(0, msg.getTensors(0).toBuilder().setData(com.google.protobuf.ByteString.copyFrom(data)))
                .build();
        Files.write(f, bad.toByteArray());
        var e = assertThrows(Checkpoint.CheckpointException.class, () -> Checkpoint.read(f));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    }

    @Test
    void unknownVersion() throws IOException {
        Path f = written();
        CheckpointFile msg = CheckpointFile.parseFrom(Files.readAllBytes(f));
        Files.write(f, msg.toBuilder().setFormatVersion(99).build().toByteArray());
        var e = assertThrows(Checkpoint.CheckpointException.class, () -> Checkpoint.read(f));
        assertTrue(e.getMessage().contains("version 99"), e.getMessage());
    }

    @Test
    void specThatDoesNotMatchTheTensors() throws IOException {
        Path f = written();
        CheckpointFile msg = CheckpointFile.parseFrom(Files.readAllBytes(f));
        Files.write(f, msg.toBuilder().setModel(Checkpoint.toMsg(ModelSpec.mlp(5, List.of(8), 3, "relu"))).build().toByteArray());
        var e = assertThrows(Checkpoint.CheckpointException.class, () -> Checkpoint.read(f));
        assertTrue(e.getMessage().contains("layer0.weight"), e.getMessage());
    }

    @Test
    void truncatedFileFails() throws IOException {
        Path f = written();
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 17));
        assertThrows(Checkpoint.CheckpointException.class, () -> Checkpoint.read(f));
    }

    @Test
    void constructorRejectsWrongLength() {
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(spec, new ParameterVector(3), 1, Map.of()));
    }
}
