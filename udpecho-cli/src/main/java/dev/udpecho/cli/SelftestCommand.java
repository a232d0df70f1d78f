package dev.udpecho.cli;

import dev.udpecho.client.ClientConfig;
import dev.udpecho.client.EchoClient;
import dev.udpecho.server.EchoServer;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code udpecho selftest}: a server on a free loopback port and a client that checks one reply. A quick check of
 * an installation, and the run the launcher records its class-data archive from, so that later starts are
 * faster.
 */
@Command(name = "selftest", hidden = true, mixinStandardHelpOptions = true,
        description = "Start a server on a free loopback port, send it one datagram, check the reply.")
final class SelftestCommand implements Callable<Integer> {
    private final PrintStream out;

    SelftestCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (EchoServer server = EchoServer.builder().bind(loopback).port(0).workers(1).start();
             EchoClient client = EchoClient.open(ClientConfig.of(new InetSocketAddress(loopback, server.address().getPort())))) {
            long start = System.nanoTime();
            byte[] reply = client.request("selftest".getBytes(StandardCharsets.US_ASCII)).get(5, TimeUnit.SECONDS);
            long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
            if (!Arrays.equals(reply, "OK...selftest".getBytes(StandardCharsets.US_ASCII))) {
                out.println("selftest failed: unexpected reply");
                return ExitCode.FAILURE.status();
            }
            out.println("selftest ok: " + server.transport() + " transport, reply in " + micros + " us");
            return ExitCode.OK.status();
        }
    }
}
