package onebyte.core.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Plain text → byte-level LM windows. Every byte is a token (vocab 256). Window i covers bytes
 * [i·stride, i·stride + context]; its inputs are the first {@code context} bytes and its labels the
 * same span shifted by one (next-byte targets).
 */
public final class TextDataset {
    private TextDataset() {}

    /** Windows over {@code text}; fails when the text is shorter than context + 1 bytes. */
    public static InMemoryDataset windows(byte[] text, int context, int stride) {
        if (context < 1 || stride < 1) throw new IllegalArgumentException("context and stride must be ≥ 1");
        if (text.length < context + 1) {
            throw new IllegalArgumentException("text of " + text.length + " bytes is shorter than one window (" + (context + 1) + " bytes)");
        }
        int n = (text.length - context - 1) / stride + 1;
        float[] x = new float[n * context];
        float[] y = new float[n * context];
        for (int i = 0; i < n; i++) {
            int start = i * stride;
            for (int t = 0; t < context; t++) {
                x[i * context + t] = text[start + t] & 0xFF;
                y[i * context + t] = text[start + t + 1] & 0xFF;
            }
        }
        return new InMemoryDataset(context, x, context, y, 256);
    }

    /**
     * Reads the files in order, joins them with one '\n' byte between files, and cuts windows.
     * A missing file fails with its path.
     */
    public static InMemoryDataset fromFiles(List<Path> files, int context, int stride) throws IOException {
        if (files.isEmpty()) throw new IllegalArgumentException("no text files given");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < files.size(); i++) {
            if (i > 0) all.write('\n');
            try {
                all.write(Files.readAllBytes(files.get(i)));
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(files.get(i).toString(), null, "text file not found");
            }
        }
        try {
            return windows(all.toByteArray(), context, stride);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(files + ": " + e.getMessage(), e);
        }
    }
}
