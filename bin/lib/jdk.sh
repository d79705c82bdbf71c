# Sourced by bin/ scripts: sets JAVA_HOME to a JDK 21 or newer, or explains what to install.

java_feature_version() { # prints the feature version of the java binary $1, e.g. 21
  # Read from the release file of its JDK or JRE when there is one: asking the binary starts a JVM,
  # a few hundred ms of CPU, and the search may ask several.
  local release
  release="$(dirname "$(dirname "$(readlink -f "$1")")")/release"
  if [ -r "$release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" | head -n 1
  else
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n 1
  fi
}

find_jdk() {
  local candidates=() dir version
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  candidates+=(/usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*)
  command -v javac >/dev/null 2>&1 && candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  for dir in "${candidates[@]}"; do
    [ -x "$dir/bin/javac" ] || continue
    version=$(java_feature_version "$dir/bin/java")
    if [ -n "$version" ] && [ "${version%%.*}" -ge 21 ] 2>/dev/null; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

if ! JAVA_HOME=$(find_jdk); then
  cat >&2 <<'MSG'
slipway: no JDK 21 or newer found (looked at $JAVA_HOME, /usr/lib/jvm, /opt/java, ~/.sdkman).
Install one, for example on Debian or Ubuntu:
    sudo apt-get install openjdk-21-jdk-headless     # Debian 13 / Ubuntu 24.04
or unpack a Temurin 21+ JDK and set JAVA_HOME to it.
MSG
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# Maven's own libraries touch sun.misc.Unsafe; newer JDKs warn about it on every run.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
[ "$(java_feature_version "$JAVA_HOME/bin/java" | cut -d. -f1)" -ge 23 ] || MAVEN_OPTS="${MAVEN_OPTS/--sun-misc-unsafe-memory-access=allow/}"
