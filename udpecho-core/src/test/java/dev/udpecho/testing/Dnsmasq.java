package dev.udpecho.testing;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A DNS server nobody on the team wrote: dnsmasq on a free port of 127.0.0.1, answering local names only (one
 * from its command line, or those of a test's own hosts files) and nothing else (no upstream servers, not the
 * host's {@code /etc/hosts}), so a test never sends a query off the host.
 */
public final class Dnsmasq implements AutoCloseable {
    private final Process process;
    private final int port;

    private Dnsmasq(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * @param name    the name it answers, e.g. {@code udpecho.test}.
     * @param address the A record it gives, e.g. {@code 10.201.0.7} (never contacted).
     * @return dnsmasq, answering; its readiness is checked with {@code dig}.
     */
    public static Dnsmasq start(String name, String address) throws IOException, InterruptedException {
        return start(name, address, "--no-hosts", "--host-record=" + name + "," + address);
    }

    /**
     * A dnsmasq whose names are in the hosts files of a folder ({@code address name} lines), which it reads again
     * by itself whenever one changes (its {@code --hostsdir}): a test adds and removes records without a restart.
     *
     * @param hosts   the folder; a file in it must already give {@code name} the address {@code address}.
     * @param name    a name to check readiness by.
     * @param address its address, in the folder.
     * @return dnsmasq, answering.
     */
    public static Dnsmasq startWithHosts(Path hosts, String name, String address)
            throws IOException, InterruptedException {
        return start(name, address, "--no-hosts", "--hostsdir=" + hosts.toAbsolutePath(), "--local-ttl=0");
    }

    private static Dnsmasq start(String name, String address, String... records)
            throws IOException, InterruptedException {
        String program = new File("/usr/sbin/dnsmasq").canExecute() ? "/usr/sbin/dnsmasq" : "dnsmasq";
        if (!program.startsWith("/")) {
            Tools.require("dnsmasq");
        }
        Tools.require("dig");
        for (int attempt = 0; attempt < 5; attempt++) {
            int port;
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
                port = s.getLocalPort();
            }
            List<String> command = new ArrayList<>(List.of(program, "--no-daemon", "--conf-file=/dev/null",
                    "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
                    "--log-facility=-"));
            command.addAll(List.of(records));
            Process p = ChildProcesses.builder(command.toArray(new String[0]))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            // Ready when it answers; gone if the port was taken meanwhile (then another port).
            for (int i = 0; i < 20 && p.isAlive(); i++) {
                if (dig(port, name, "+short", "+timeout=1").contains(address)) {
                    return new Dnsmasq(p, port);
                }
            }
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        throw new IllegalStateException("dnsmasq did not answer on 127.0.0.1 in 5 attempts");
    }

    /** @return the UDP port it answers on, on 127.0.0.1. */
    public int port() {
        return port;
    }

    /**
     * @param port    where to ask, on 127.0.0.1.
     * @param name    what to ask for.
     * @param options dig's, e.g. {@code +short}, {@code +timeout=1}; one try unless {@code +tries} says otherwise.
     * @return what dig printed, stdout and stderr.
     */
    public static String dig(int port, String name, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", Integer.toString(port), "+tries=1"));
        command.addAll(List.of(options));
        command.add(name);
        Process p = ChildProcesses.builder(command.toArray(new String[0])).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("dig did not end");
        }
        return out;
    }

    /** Stops it, waiting up to 10 s for it to go. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
