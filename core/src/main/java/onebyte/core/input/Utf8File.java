package onebyte.core.input;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a whole text file as strict UTF-8 (a leading byte-order mark is dropped). A missing,
 * unreadable or empty file and a malformed byte sequence fail with a {@link BadInputException}
 * naming the file and, for bad bytes, the line and byte offset.
 */
public final class Utf8File {
    private Utf8File() {}

    public static String read(Path file) {
        byte[] raw = bytes(file);
        if (raw.length == 0 || new String(raw, StandardCharsets.ISO_8859_1).isBlank()) {
            throw BadInputException.at(file, 0, "the file is empty");
        }
        return decode(file, raw);
    }

    /** The file's bytes; missing or unreadable files fail with their path. */
    public static byte[] bytes(Path file) {
        if (Files.isDirectory(file)) throw BadInputException.at(file, 0, "is a directory, expected a file");
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw BadInputException.at(file, 0, "file not found");
        } catch (AccessDeniedException e) {
            throw BadInputException.at(file, 0, "permission denied");
        } catch (IOException e) {
            throw BadInputException.at(file, 0, "cannot read: " + e.getMessage());
        }
    }

    /** {@code raw} decoded as strict UTF-8; errors name {@code file}, the line and byte offset. */
    public static String decode(Object file, byte[] raw) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(raw);
        CharBuffer out = CharBuffer.allocate(raw.length);
        CoderResult r = d.decode(in, out, true);
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) if (raw[i] == '\n') line++;
            throw BadInputException.at(file, line, String.format(
                    "not UTF-8 text (malformed byte 0x%02X at byte offset %d); save the file as UTF-8", raw[at] & 0xFF, at));
        }
        d.flush(out);
        out.flip();
        String s = out.toString();
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }
}
