package dev.slipway.provisioner.preflight;

import dev.slipway.provisioner.phase.ConnectHosts;
import dev.slipway.provisioner.phase.Phase;
import java.util.List;

/** The preflight flow: the first phases of every command that touches hosts. */
public final class Preflight {
  private final CheckHosts check = new CheckHosts();

  public List<Phase> phases() {
    return List.of(
        new ConnectHosts(),
        new GatherFacts(),
        check);
  }

  public CheckHosts check() {
    return check;
  }
}
