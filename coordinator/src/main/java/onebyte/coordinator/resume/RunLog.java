package onebyte.coordinator.resume;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import onebyte.core.input.BadInputException;
import onebyte.proto.RoundRecord;
import onebyte.proto.RunLogHeader;

/**
 * The commit log of one algorithm of a run ({@code RUN_DIR/resume/ALGORITHM.log}, format in
 * {@code proto/src/main/proto/runlog.proto}): a header and one {@link RoundRecord} per completed
 * round, length-delimited, appended and flushed per round by {@link RunLogWriter}. Reading drops a
 * torn last record (a kill while it was written); anything else that does not parse, or records
 * out of round order, is a damaged log: a {@link BadInputException} naming the last good round.
 */
public record RunLog(RunLogHeader header, List<RoundRecord> records, long headerEnd, List<Long> recordEnds) {
    /** The folder of the commit logs in a run directory. */
    public static final String DIR = "resume";
    /** Format version of the header (runlog.proto). */
    public static final int FORMAT_VERSION = 1;

    /** The log file of {@code algorithm} in {@code runDir}. */
    public static Path file(Path runDir, String algorithm) {
        return runDir.resolve(DIR).resolve(algorithm + ".log");
    }

    /** Reads a log; a torn tail is left out ({@link #recordEnds}: where each whole record ends, after {@link #headerEnd}). */
    public static RunLog read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        RunLogHeader header;
        List<RoundRecord> records = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        long headerEnd;
        try {
            byte[] h = next(in, bytes.length);
            if (h == null) {
                throw BadInputException.at(file, 0, "the commit log has no header: damaged, or not a commit log");
            }
            header = RunLogHeader.parseFrom(h);
            headerEnd = in.getTotalBytesRead();
        } catch (InvalidProtocolBufferException e) {
            throw BadInputException.at(file, 0, "the commit log's header does not parse: damaged, or not a commit log");
        } catch (IOException e) {
            throw BadInputException.at(file, 0, "the commit log's header is damaged: " + e.getMessage());
        }
        while (true) {
            long round = records.size();
            byte[] r;
            try {
                r = next(in, bytes.length);
            } catch (IOException e) {
                throw damaged(file, round, "a record length that does not parse");
            }
            if (r == null) {
                break; // the end, or a torn last record
            }
            RoundRecord rec;
            try {
                rec = RoundRecord.parseFrom(r);
            } catch (InvalidProtocolBufferException e) {
                throw damaged(file, round, "the record of round " + round + " does not parse");
            }
            if (rec.getRound() != round) {
                throw damaged(file, round, "the record after round " + (round - 1) + " is of round " + rec.getRound());
            }
            records.add(rec);
            ends.add((long) in.getTotalBytesRead());
        }
        return new RunLog(header, List.copyOf(records), headerEnd, List.copyOf(ends));
    }

    /** The next length-delimited message, or null at the end or when the bytes end inside it (a torn tail). */
    private static byte[] next(CodedInputStream in, int total) throws IOException {
        if (in.isAtEnd()) {
            return null;
        }
        int len;
        try {
            len = in.readRawVarint32();
        } catch (InvalidProtocolBufferException e) {
            if (total - in.getTotalBytesRead() < 5) {
                return null; // the length itself was cut off
            }
            throw e;
        }
        if (len < 0) {
            throw new IOException("negative length");
        }
        if (len > total - in.getTotalBytesRead()) {
            return null;
        }
        return in.readRawBytes(len);
    }

    /** Where the first {@code rounds} records end (the header's end for 0). */
    public long end(long rounds) {
        return rounds == 0 ? headerEnd : recordEnds.get((int) rounds - 1);
    }

    static BadInputException damaged(Path file, long round, String what) {
        String good = round == 0 ? "no round is whole" : "the last good round is " + (round - 1);
        return BadInputException.at(file, 0, "the commit log is damaged: " + what + "; " + good);
    }
}
