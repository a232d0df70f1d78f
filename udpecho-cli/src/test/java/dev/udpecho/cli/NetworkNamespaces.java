package dev.udpecho.cli;

import dev.udpecho.testing.ChildProcesses;
import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces made for one test, joined by a veth pair: a server host with two addresses per family
 * and a client host. Traffic stays between them; {@link #close()} deletes both (and the link with them).
 * Skipped, saying why, where the test may not create namespaces.
 */
final class NetworkNamespaces implements AutoCloseable {
    final String server;
    final String client;
    /** The client host's end of the link, for datagrams to link-scoped groups ({@code ff02::1%LINK}). */
    final String clientLink;
    /** The server host's end of the link, for its queueing ({@code tc}). */
    final String serverLink;
    private final List<String> created = new ArrayList<>();

    NetworkNamespaces() throws IOException, InterruptedException {
        Tools.require("ip");
        String id = Long.toString(ProcessHandle.current().pid() % 100_000) + Long.toString(System.nanoTime() % 100, 10);
        server = "udpecho-s" + id;
        client = "udpecho-c" + id;
        String probe = run("ip", "netns", "add", server);
        Assumptions.assumeTrue(probe == null, "may not create network namespaces here (" + probe + "): test skipped");
        created.add(server);
        serverLink = "ues" + id;
        clientLink = "uec" + id;
        try {
            must("ip", "netns", "add", client);
            created.add(client);
            must("ip", "link", "add", serverLink, "type", "veth", "peer", "name", clientLink);
            must("ip", "link", "set", serverLink, "netns", server);
            must("ip", "link", "set", clientLink, "netns", client);
            for (String a : new String[] {"10.201.0.1/24", "10.201.0.2/24"}) {
                must("ip", "-n", server, "addr", "add", a, "dev", serverLink);
            }
            for (String a : new String[] {"fd00:201::1/64", "fd00:201::2/64"}) {
                must("ip", "-n", server, "addr", "add", a, "dev", serverLink, "nodad");
            }
            must("ip", "-n", client, "addr", "add", "10.201.0.3/24", "dev", clientLink);
            must("ip", "-n", client, "addr", "add", "fd00:201::3/64", "dev", clientLink, "nodad");
            for (String[] ns : new String[][] {{server, serverLink}, {client, clientLink}}) {
                must("ip", "-n", ns[0], "link", "set", "lo", "up");
                must("ip", "-n", ns[0], "link", "set", ns[1], "up");
            }
            // So that the client may send to 255.255.255.255 and to IPv4 groups: out of its one link, nowhere else.
            must("ip", "-n", client, "route", "add", "default", "dev", clientLink);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Gives the server host one more address, e.g. {@code 10.201.0.4/24} or {@code fd00:201::4/64}. */
    void addServerAddress(String address) throws IOException, InterruptedException {
        if (address.contains(":")) {
            must("ip", "-n", server, "addr", "add", address, "dev", serverLink, "nodad");
        } else {
            must("ip", "-n", server, "addr", "add", address, "dev", serverLink);
        }
    }

    /** @return {@code command} to run inside namespace {@code ns}. */
    static List<String> in(String ns, List<String> command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(command);
        return all;
    }

    /** Runs a command inside {@code ns}. @return its standard output. */
    static String output(String ns, List<String> command) throws IOException, InterruptedException {
        Process p = ChildProcesses.builder(in(ns, command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        return out.trim();
    }

    /** @return {@code null} on success, otherwise what the command said. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p = ChildProcesses.builder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : out;
    }

    private static void must(String... command) throws IOException, InterruptedException {
        String failure = run(command);
        if (failure != null) {
            throw new IOException(String.join(" ", command) + ": " + failure);
        }
    }

    @Override
    public void close() {
        for (String ns : created) {
            try {
                run("ip", "netns", "del", ns);
            } catch (IOException e) {
                // nothing more to do
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
