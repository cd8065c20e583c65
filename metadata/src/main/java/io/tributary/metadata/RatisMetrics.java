package io.tributary.metadata;

import org.apache.ratis.metrics.MetricRegistries;

/**
 * Ratis publishes its metric registries through JMX unless some reporter was registered before its first
 * registry is created. Building that JMX reporter and its MBeans cost about 150 ms of a broker's start, and
 * nothing reads them: Tributary exports its own metrics. So a reporter that does nothing is registered once
 * per process, before the first Raft server is built; Ratis still keeps its registries for in-process use.
 */
final class RatisMetrics {
  private static boolean registered;

  private RatisMetrics() {
  }

  static synchronized void keepOutOfJmx() {
    if (!registered) {
      MetricRegistries.global().addReporterRegistration(registry -> { }, registry -> { });
      registered = true;
    }
  }
}
