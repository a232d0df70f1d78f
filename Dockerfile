# syntax=docker/dockerfile:1
# udpecho's container image.
#   docker build -t udpecho .
#   docker run --rm -p 8888:8888/udp -p 9888:9888 udpecho
# The first stage builds the distribution archive (gcc for udpecho's native transport); the second is a
# JRE, that archive, and a user of its own. Settings are UDPECHO_<OPTION> variables: docker run -e ...

FROM maven:3-eclipse-temurin-17 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests package \
 && mkdir -p /opt/udpecho \
 && tar -xzf udpecho-dist/target/udpecho-*.tar.gz -C /opt/udpecho --strip-components=1

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin udpecho
COPY --from=build /opt/udpecho /opt/udpecho
USER 10001:10001
# Metrics and health for the orchestrator, JSON lines for the log collector; no privilege is needed.
ENV UDPECHO_METRICS=:9888 \
    UDPECHO_LOG_FORMAT=json
EXPOSE 8888/udp 9888/tcp
# The client itself checks the echo end to end; it reads the same UDPECHO_PORT as the server.
HEALTHCHECK --interval=30s --timeout=10s --start-period=10s --retries=3 \
  CMD ["/opt/udpecho/bin/udpecho", "client", "--host", "127.0.0.1", "--message", "healthcheck", "--timeout", "1s", "--retries", "2"]
ENTRYPOINT ["/opt/udpecho/bin/udpecho"]
CMD ["server"]
