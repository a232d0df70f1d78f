package dev.udpecho.impairment;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImpairerTest {

    private static int[] decisions(Impairments config, int stream, int n) {
        Impairer impairer = new Impairer(config, stream);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = impairer.decide();
        }
        return out;
    }

    @Test
    void theSameSeedGivesTheSameDecisions() {
        Impairments config = Impairments.builder().loss(0.3).duplicate(0.2).corrupt(0.1).seed(42L).build();
        assertThat(decisions(config, 0, 10_000)).isEqualTo(decisions(config, 0, 10_000));
        assertThat(decisions(config, 0, 10_000)).as("another worker, another stream")
                .isNotEqualTo(decisions(config, 1, 10_000));
        assertThat(decisions(config.toBuilder().seed(43L).build(), 0, 10_000)).isNotEqualTo(decisions(config, 0, 10_000));
    }

    @Test
    void eachKindHappensAtItsRate() {
        Impairments config = new Impairments(0.05, Duration.ZERO, Duration.ZERO, 0.02, 0.1, 0.03, 0.04, 7L, 100);
        int[] d = decisions(config, 0, 200_000);
        int lost = 0;
        int dup = 0;
        int reorder = 0;
        int corrupt = 0;
        int truncate = 0;
        for (int a : d) {
            if (a == Impairer.LOSE) {
                lost++;
                continue;
            }
            dup += (a & Impairer.DUPLICATE) != 0 ? 1 : 0;
            reorder += (a & Impairer.REORDER) != 0 ? 1 : 0;
            corrupt += (a & Impairer.CORRUPT) != 0 ? 1 : 0;
            truncate += (a & Impairer.TRUNCATE) != 0 ? 1 : 0;
        }
        assertThat(lost / 200_000.0).isCloseTo(0.05, org.assertj.core.data.Offset.offset(0.003));
        double sent = 200_000.0 - lost;
        assertThat(dup / sent).isCloseTo(0.02, org.assertj.core.data.Offset.offset(0.003));
        assertThat(reorder / sent).isCloseTo(0.10, org.assertj.core.data.Offset.offset(0.003));
        assertThat(corrupt / sent).isCloseTo(0.03, org.assertj.core.data.Offset.offset(0.003));
        assertThat(truncate / sent).isCloseTo(0.04, org.assertj.core.data.Offset.offset(0.003));
    }

    @Test
    void delaysStayWithinTheJitterAndChangesStayWithinTheReply() {
        Impairments config = Impairments.builder().delay(Duration.ofMillis(20)).jitter(Duration.ofMillis(5)).corrupt(1).truncate(1).seed(1L).build();
        Impairer impairer = new Impairer(config, 0);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 10_000; i++) {
            int actions = impairer.decide();
            assertThat(actions & Impairer.DELAY).isNotZero();
            long nanos = impairer.delayNanos();
            min = Math.min(min, nanos);
            max = Math.max(max, nanos);
            assertThat(impairer.corruptIndex(10)).isBetween(0, 9);
            assertThat(impairer.corruptMask()).isNotZero();
            assertThat(impairer.truncatedLength(10)).isBetween(0, 9);
        }
        assertThat(min).isBetween(15_000_000L, 15_500_000L);
        assertThat(max).isBetween(24_500_000L, 25_000_000L);
    }

    @Test
    void valuesAreChecked() {
        assertThatThrownBy(() -> Impairments.builder().loss(1.5).build()).hasMessage("loss must be a probability from 0 to 1, not 1.5");
        assertThatThrownBy(() -> Impairments.builder().delay(Duration.ofMillis(5)).jitter(Duration.ofMillis(6)).build())
                .hasMessage("jitter must be 0 to the delay (5ms), not 6ms");
        assertThatThrownBy(() -> Impairments.builder().maxDelayed(0).build()).hasMessageContaining("max delayed");
        assertThat(Impairments.NONE.isOn()).isFalse();
        assertThat(Impairments.builder().reorder(0.1).build().delays()).isTrue();
    }
}
