package io.github.transformers4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code t4j bench rnn}: its usage errors (the CLI tests' backends compute nothing); the
 * measurement itself runs in bench/rnn-vs-torch.sh, never in a unit test.
 */
class RnnBenchCommandTest {

  @Test
  void refusesAnUnknownCellAndANegativeWarmup() throws Exception {
    Cli.Run run = Cli.run("bench", "rnn", "lstmx", "--backend", "fake");
    assertEquals(2, run.code(), run::toString);
    assertTrue(run.err().contains("CELL: expected lstm, gru or rnn, got 'lstmx'"), run::toString);
    run = Cli.run("bench", "rnn", "gru", "--backend", "fake", "--warmup", "-1");
    assertEquals(2, run.code(), run::toString);
    assertTrue(run.err().contains("--warmup: expected 0 or more, got -1"), run::toString);
  }
}
