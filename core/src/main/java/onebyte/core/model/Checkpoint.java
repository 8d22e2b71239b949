package onebyte.core.model;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import onebyte.core.input.BadInputException;
import onebyte.core.tensor.ParameterVector;
import onebyte.proto.CheckpointFile;
import onebyte.proto.ModelSpecMsg;
import onebyte.proto.TensorMsg;

/**
 * A model spec, its parameters θ and provenance metadata, stored as one {@code CheckpointFile}
 * protobuf (see checkpoint.proto). Reading a file gives back θ bit for bit.
 */
public final class Checkpoint {
    /** The format version this code writes and reads. */
    public static final int FORMAT_VERSION = 1;

    private final ModelSpec spec;
    private final ParameterVector parameters;
    private final long seed;
    private final Map<String, String> metadata;

    public Checkpoint(ModelSpec spec, ParameterVector parameters, long seed, Map<String, String> metadata) {
        int d = Models.create(spec).numParams();
        if (parameters.length() != d) {
            throw new IllegalArgumentException("spec " + spec + " has " + d + " parameters, vector has " + parameters.length());
        }
        this.spec = spec;
        this.parameters = parameters;
        this.seed = seed;
        this.metadata = Map.copyOf(metadata);
    }

    public ModelSpec spec() {
        return spec;
    }

    /** θ (the checkpoint's own vector; copy it before training in place). */
    public ParameterVector parameters() {
        return parameters;
    }

    public long seed() {
        return seed;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** Writes the checkpoint atomically (temp file in the same directory, then move). */
    public void write(Path file) throws IOException {
        Model model = Models.create(spec);
        CheckpointFile.Builder b = CheckpointFile.newBuilder()
                .setFormatVersion(FORMAT_VERSION)
                .setModel(toMsg(spec))
                .setParamsSha256(ByteString.copyFrom(parameters.hash()))
                .setSeed(seed)
                .putAllMetadata(metadata);
        for (Model.TensorShape t : model.tensors()) {
            ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(4, (int) t.length())).order(ByteOrder.LITTLE_ENDIAN);
            float[] chunk = new float[(int) Math.min(t.length(), 1 << 16)];
            for (long done = 0; done < t.length(); done += chunk.length) {
                int len = (int) Math.min(chunk.length, t.length() - done);
                parameters.get((int) (t.offset() + done), chunk, 0, len);
                for (int i = 0; i < len; i++) bytes.putInt(Float.floatToRawIntBits(chunk[i]));
            }
            bytes.flip();
            TensorMsg.Builder tm = TensorMsg.newBuilder().setName(t.name()).setData(ByteString.copyFrom(bytes));
            for (long s : t.shape()) tm.addShape(s);
            b.addTensors(tm);
        }
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, abs.getFileName().toString(), ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            b.build().writeTo(out);
        }
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads and verifies a checkpoint. Fails with {@link CheckpointException} naming the file when
     * it is missing, not a checkpoint / corrupt, of an unknown format version, inconsistent with its
     * model spec (tensor names, shapes, sizes) or when θ does not match the stored SHA-256.
     */
    public static Checkpoint read(Path file) throws IOException {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": checkpoint file not found");
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read the checkpoint: " + e);
        }
        CheckpointFile msg;
        try {
            msg = CheckpointFile.parseFrom(raw);
        } catch (InvalidProtocolBufferException e) {
            throw new CheckpointException(file + ": not a valid checkpoint (corrupt or truncated protobuf: " + e.getMessage() + ")");
        }
        if (msg.getFormatVersion() == 0 || !msg.hasModel()) {
            throw new CheckpointException(file + ": not a checkpoint (no format version or model spec)");
        }
        if (msg.getFormatVersion() != FORMAT_VERSION) {
            throw new CheckpointException(file + ": checkpoint format version " + msg.getFormatVersion()
                    + " is not supported (this build reads version " + FORMAT_VERSION + ")");
        }
        ModelSpec spec;
        try {
            spec = fromMsg(msg.getModel());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": invalid model spec: " + e.getMessage());
        }
        Model model = Models.create(spec);
        List<Model.TensorShape> expected = model.tensors();
        if (msg.getTensorsCount() != expected.size()) {
            throw new CheckpointException(file + ": model " + spec + " has " + expected.size()
                    + " tensors, checkpoint has " + msg.getTensorsCount());
        }
        ParameterVector theta = new ParameterVector(model.numParams());
        for (int i = 0; i < expected.size(); i++) {
            Model.TensorShape want = expected.get(i);
            TensorMsg got = msg.getTensors(i);
            long[] shape = got.getShapeList().stream().mapToLong(Long::longValue).toArray();
            if (!want.name().equals(got.getName()) || !Arrays.equals(want.shape(), shape)) {
                throw new CheckpointException(file + ": tensor " + i + " is " + got.getName() + Arrays.toString(shape)
                        + ", model " + spec + " expects " + want.name() + Arrays.toString(want.shape()));
            }
            if (got.getData().size() != 4L * want.length()) {
                throw new CheckpointException(file + ": tensor " + want.name() + " holds " + got.getData().size()
                        + " bytes, expected " + 4L * want.length());
            }
            ByteBuffer bytes = got.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] chunk = new float[(int) Math.min(want.length(), 1 << 16)];
            for (long done = 0; done < want.length(); done += chunk.length) {
                int len = (int) Math.min(chunk.length, want.length() - done);
                for (int j = 0; j < len; j++) chunk[j] = Float.intBitsToFloat(bytes.getInt());
                theta.put((int) (want.offset() + done), chunk, 0, len);
            }
        }
        byte[] sha = theta.hash();
        if (!Arrays.equals(sha, msg.getParamsSha256().toByteArray())) {
            throw new CheckpointException(file + ": parameter checksum mismatch (stored "
                    + HexFormat.of().formatHex(msg.getParamsSha256().toByteArray()) + ", computed "
                    + HexFormat.of().formatHex(sha) + "): the file is corrupt");
        }
        return new Checkpoint(spec, theta, msg.getSeed(), new LinkedHashMap<>(msg.getMetadataMap()));
    }

    static ModelSpecMsg toMsg(ModelSpec s) {
        ModelSpecMsg.Builder b = ModelSpecMsg.newBuilder()
                .setKind(s.kind()).setInputs(s.inputs()).setClasses(s.classes()).setActivation(s.activation())
                .setVocab(s.vocab()).setLayers(s.layers()).setHeads(s.heads()).setWidth(s.width()).setContext(s.context());
        s.hidden().forEach(b::addHidden);
        return b.build();
    }

    static ModelSpec fromMsg(ModelSpecMsg m) {
        return new ModelSpec(m.getKind(), m.getInputs(), m.getClasses(), m.getHiddenList(), m.getActivation(),
                m.getVocab(), m.getLayers(), m.getHeads(), m.getWidth(), m.getContext());
    }

    /** A checkpoint that cannot be read; the message names the file and what is wrong (bad input: exit 2). */
    public static final class CheckpointException extends BadInputException {
        public CheckpointException(String message) {
            super(message);
        }
    }
}
