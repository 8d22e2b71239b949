package onebyte.coordinator.console;

import java.util.Locale;

/** Byte counts for people: 361.6 KB, 2.31 GB (decimal units, as the comparison table prints). */
public final class Bytes {
    private Bytes() {}

    public static String human(long bytes) {
        if (bytes < 1000) return bytes + " B";
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.2f %s" : "%.1f %s", v, units[u]);
    }
}
