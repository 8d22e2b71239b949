package onebyte.coordinator.resume;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import onebyte.core.tensor.ParameterVector;
import onebyte.node.wire.Wire;
import onebyte.proto.RunState;

/**
 * The saved states of a run's algorithms ({@code RUN_DIR/resume/ALGORITHM.ROUND.state}, one
 * serialized {@link RunState} each, format in runlog.proto): written to a temporary file in the
 * same folder and moved into place atomically, so a kill leaves either the whole file or none
 * (a stray temporary file is ignored); the newest {@link #KEEP} of an algorithm are kept.
 */
public final class StateFiles {
    /** Format version of {@link RunState}. */
    public static final int FORMAT_VERSION = 1;
    /** How many states of an algorithm are kept (the newest; a damaged one falls back to the one before). */
    public static final int KEEP = 2;
    private static final Pattern NAME = Pattern.compile("(.+)\\.(\\d+)\\.state");

    private StateFiles() {}

    /** A state file and the round in its name. */
    public record Saved(Path file, long round) {}

    /** The state file of {@code algorithm} before round {@code round}. */
    public static Path file(Path runDir, String algorithm, long round) {
        return runDir.resolve(RunLog.DIR).resolve(algorithm + "." + round + ".state");
    }

    /** Writes {@code state} atomically and drops all but the newest {@link #KEEP} states of its algorithm. */
    public static Path write(Path runDir, RunState state) {
        Path file = file(runDir, state.getAlgorithm(), state.getRound());
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "." + state.getAlgorithm() + ".", ".tmp");
            try {
                Files.write(tmp, state.toByteArray());
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            List<Saved> all = list(runDir, state.getAlgorithm());
            for (Saved old : all.subList(0, Math.max(0, all.size() - KEEP))) {
                Files.deleteIfExists(old.file());
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The states of {@code algorithm} in {@code runDir}, oldest first. */
    public static List<Saved> list(Path runDir, String algorithm) {
        Path dir = runDir.resolve(RunLog.DIR);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Saved> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = NAME.matcher(f.getFileName().toString());
                if (m.matches() && m.group(1).equals(algorithm)) {
                    out.add(new Saved(f, Long.parseLong(m.group(2))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        out.sort(Comparator.comparingLong(Saved::round));
        return out;
    }

    /**
     * Reads a state and checks it whole: it parses, is of this format, onebyte version and
     * algorithm, names the round of its file name, and its model matches its hash and
     * {@code hashAfterPrevious} (the commit log's model hash of round − 1). Returns null with the
     * reason in {@code why[0]} when it does not.
     */
    public static RunState read(Saved saved, String version, String algorithm, long hashAfterPrevious, String[] why) {
        RunState st;
        try {
            st = RunState.parseFrom(Files.readAllBytes(saved.file()));
        } catch (InvalidProtocolBufferException e) {
            why[0] = "does not parse (truncated or damaged)";
            return null;
        } catch (IOException e) {
            why[0] = "cannot be read: " + e.getMessage();
            return null;
        }
        if (st.getFormatVersion() != FORMAT_VERSION) {
            why[0] = "format " + st.getFormatVersion() + ", this onebyte reads format " + FORMAT_VERSION;
        } else if (!st.getOnebyteVersion().equals(version) || !st.getAlgorithm().equals(algorithm)) {
            why[0] = "written by onebyte " + st.getOnebyteVersion() + " for " + st.getAlgorithm();
        } else if (st.getRound() != saved.round() || st.getRound() == 0) {
            why[0] = "holds round " + st.getRound();
        } else if (st.getModel().size() % 4 != 0 || modelHash(st) != st.getModelHash()) {
            why[0] = "its model does not match its hash (damaged)";
        } else if (st.getModelHash() != hashAfterPrevious) {
            why[0] = "its model is not the one the commit log has after round " + (st.getRound() - 1);
        } else {
            return st;
        }
        return null;
    }

    private static long modelHash(RunState st) {
        float[] values = new float[st.getModel().size() / 4];
        Wire.bytesToFloats(st.getModel().toByteArray(), values, 0);
        return Wire.hash8(ParameterVector.of(values).hash());
    }
}
