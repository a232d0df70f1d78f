package dev.udpecho.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the kernel's per-socket UDP drop counts from {@code /proc/net/udp} and {@code /proc/net/udp6}: datagrams
 * that arrived when a socket's receive buffer was full. Linux only; elsewhere it reports nothing.
 *
 * <p>Stateless and thread-safe; reads the files on each call.
 */
public final class ProcNetUdp {
    private ProcNetUdp() {
    }

    /**
     * @param port a local port.
     * @return the drops of every socket bound to it in this network namespace, or −1 where not known.
     */
    public static long drops(int port) {
        long total = -1;
        for (String file : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(file));
            } catch (IOException | SecurityException e) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) {
                long drops = dropsIfPort(lines.get(i).trim().split("\\s+"), port);
                if (drops >= 0) {
                    total = Math.max(total, 0) + drops;
                }
            }
        }
        return total;
    }

    /** Columns: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops. */
    private static long dropsIfPort(String[] columns, int port) {
        if (columns.length < 13) {
            return -1;
        }
        String local = columns[1];
        int colon = local.lastIndexOf(':');
        if (colon < 0 || Integer.parseInt(local.substring(colon + 1), 16) != port) {
            return -1;
        }
        try {
            return Long.parseLong(columns[12]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
