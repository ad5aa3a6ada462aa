#!/usr/bin/env bash
# Builds the Kafka test broker: librdkafka's mock cluster (static library, from the librdkafka
# sources shipped in the npm package @confluentinc/kafka-javascript) linked into our small C
# program test/fixtures/kafka/mock-broker.c.  See DESIGN.md, "Test services".
#
# Everything is cached outside the source tree, in ${STREAMFRAME_CACHE:-$HOME/.cache/streamframe}/kafka-mock/.
# Idempotent: when the binary was built from this C source, this only prints the binary path.
# The path of the binary is always the last line on stdout; progress goes to stderr, compiler
# output to build.log (librdkafka) and compile.log (our program) in the cache directory.
#
#   --compile-only   only (re)compile the C program; exit 3 if librdkafka is not built yet
#                    (used by test/fixtures/kafka/broker.ts, which must not start a long build)
#
# Needs: npm (first run only), tar, gcc, make, flock, perl.  No -dev packages are required: zlib,
# zstd, lz4, ssl, sasl, curl and regex are all disabled or builtin (the mock broker stores
# record batches as they arrive and never decompresses them).
#
# Five small patches to the mock's classic consumer-group coordinator (see patch_mock below) make it
# behave like a real broker where kafkajs needs it.  Unpatched, (1) a group whose last member left
# stays "rebalancing" for session.timeout.ms - 1 s, so a consumer rejoining it (a restarted pipeline
# resuming from its committed offsets) waits that long for its first assignment; (2) every
# rebalance of a running group (a member joins or leaves) takes session.timeout.ms - 1 s even when
# all members have already rejoined; (3) a duplicate SyncGroup after the rebalance completed gets
# INVALID_REQUEST, which kafkajs treats as fatal: its consumer crashes (this happens when a kafkajs
# consumer's fetchers hit errors such as NOT_LEADER_OR_FOLLOWER and it rejoins twice at once);
# (4) a member that leaves or whose session expires during a rebalance does not complete it: the
# others wait session.timeout.ms - 1 s from the start of the rebalance, so a restarted process
# rejoining the group of its SIGKILLed predecessor waited its own start-up time on top of the dead
# member's session; (5) a follower whose SyncGroup arrives after the leader's loses its assignment
# (the mock completes the sync as soon as the leader's request carries every member's assignment,
# answers the members waiting then and discards the assignments): it is told to rejoin, and the
# whole group rebalances a second time (~0.7 s with kafkajs, whose rejoin backs off 300 ms and whose
# other members notice only at their next heartbeat).  A real broker answers a late follower's
# SyncGroup with its assignment.
set -euo pipefail

COMPILE_ONLY=0
[ "${1:-}" = "--compile-only" ] && COMPILE_ONLY=1

KJS_VERSION=1.10.1                                      # @confluentinc/kafka-javascript (librdkafka 2.15.1)
KJS_SHA1=8a6fdeb9e1b225f020299a313f9aebc7502e57bf       # of confluentinc-kafka-javascript-1.10.1.tgz

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC="$ROOT/test/fixtures/kafka/mock-broker.c"
CACHE="${STREAMFRAME_CACHE:-$HOME/.cache/streamframe}/kafka-mock"
TGZ="$CACHE/confluentinc-kafka-javascript-$KJS_VERSION.tgz"
PATCH_LEVEL=sf5                                          # bump when patch_mock changes
PKG="$CACHE/kafka-javascript-$KJS_VERSION-$PATCH_LEVEL"
RDK="$PKG/package/deps/librdkafka"
LIB="$RDK/src/librdkafka.a"
# One binary per patch level: worktrees on an older patch level keep theirs while this one builds.
BIN="$CACHE/bin/mock-broker-$PATCH_LEVEL"
LOG="$CACHE/build.log"

log() { echo "build-kafka-broker: $*" >&2; }
fail() { log "$*"; exit 1; }
fail_log() { log "$2"; log "last lines of $1:"; tail -n 30 "$1" >&2; exit 1; }

patch_mock() { # $1: librdkafka source dir
  local f="$1/src/rdkafka_mock_cgrp.c"
  # (1) A group whose last member left is Empty at once.
  perl -0pi -e 's{(rd_kafka_mock_cgrp_classic_rebalance\(rd_kafka_mock_cgrp_classic_t \*mcgrp,\s*const char \*reason\) \{\s*int timeout_ms;\n)}{$1
        /* streamframe patch 1: like a real broker, a group whose last member
         * left is Empty at once (the next JoinGroup starts a new generation
         * after group.initial.rebalance.delay.ms), instead of waiting
         * session.timeout.ms - 1 s for members that will never rejoin. */
        if (mcgrp->member_cnt == 0) {
                if (mcgrp->state != RD_KAFKA_MOCK_CGRP_STATE_EMPTY)
                        rd_kafka_mock_cgrp_classic_set_state(
                            mcgrp, RD_KAFKA_MOCK_CGRP_STATE_EMPTY, reason);
                return;
        }
}' "$f"
  # (2) A rebalance of a running group completes once every known member has rejoined.
  perl -0pi -e 's{(\n        member->resp = resp;\n        member->conn = mconn;\n        rd_kafka_mock_cgrp_classic_member_active\(mcgrp, member\);\n)}{$1
        /* streamframe patch 2: like a real broker, a rebalance of a running
         * group (generation > 0) completes as soon as every known member has
         * sent its JoinGroup, instead of after session.timeout.ms - 1 s.  A
         * new group still waits group.initial.rebalance.delay.ms. */
        if (mcgrp->state == RD_KAFKA_MOCK_CGRP_STATE_JOINING &&
            mcgrp->generation_id > 0) {
                rd_kafka_mock_cgrp_classic_member_t *m;
                rd_bool_t all_joined = rd_true;
                TAILQ_FOREACH(m, &mcgrp->members, link) {
                        if (!m->resp) {
                                all_joined = rd_false;
                                break;
                        }
                }
                if (all_joined)
                        rd_kafka_mock_cgrp_classic_rebalance_timer_restart(
                            mcgrp, 0);
        }
}' "$f"
  # (3) A SyncGroup that arrives after its rebalance completed is answered REBALANCE_IN_PROGRESS.
  perl -0pi -e 's{(\n                    ApiKey == RD_KAFKAP_OffsetCommit\)\n                        return RD_KAFKA_RESP_ERR_NO_ERROR;\n)(                break;\n        \}\n\n        return RD_KAFKA_RESP_ERR_INVALID_REQUEST;)}{$1
                /* streamframe patch 3: a duplicate SyncGroup (kafkajs sends
                 * one when it rejoined twice concurrently) after the group is
                 * Up.  A real broker answers it with the member\x27s assignment;
                 * the mock has discarded assignments, so ask for a rejoin
                 * rather than INVALID_REQUEST, which crashes a kafkajs
                 * consumer. */
                if (ApiKey == RD_KAFKAP_SyncGroup)
                        return RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS;
$2}' "$f"
  # (4) A member leaving or timing out during a rebalance completes it once the rest have rejoined.
  perl -0pi -e 's{        if \(mcgrp->state == RD_KAFKA_MOCK_CGRP_STATE_JOINING\)\n                return; /\* Do nothing, group is already rebalancing. \*/\n}{        if (mcgrp->state == RD_KAFKA_MOCK_CGRP_STATE_JOINING) {
                /* streamframe patch 4: like a real broker, a member that
                 * left or whose session expired during a rebalance no
                 * longer holds it up: complete it once every remaining
                 * member has sent its JoinGroup. */
                rd_kafka_mock_cgrp_classic_member_t *m;
                rd_bool_t all_joined = rd_true;
                TAILQ_FOREACH(m, &mcgrp->members, link) {
                        if (!m->resp) {
                                all_joined = rd_false;
                                break;
                        }
                }
                if (all_joined)
                        rd_kafka_mock_cgrp_classic_rebalance_timer_restart(
                            mcgrp, 0);
                return;
        }
}' "$f"
  # (5) A sync completes once every member has sent its SyncGroup, not once the leader's assignments are in.
  perl -0pi -e 's{(\n        if \(mcgrp->assignment_cnt < mcgrp->member_cnt\)\n                return;\n)}{$1
        /* streamframe patch 5: like a real broker, which answers a
         * follower\x27s SyncGroup with its assignment even after the leader
         * synced, hold the responses until every member has sent its
         * SyncGroup: completing at the leader\x27s discards the assignments
         * of followers that sync a moment later, and makes them rejoin. */
        {
                rd_kafka_mock_cgrp_classic_member_t *m;
                TAILQ_FOREACH(m, &mcgrp->members, link) {
                        if (!m->resp)
                                return;
                }
        }
}' "$f"
  [ "$(grep -c 'streamframe patch' "$f")" = 5 ] || fail "could not patch $f (librdkafka changed?)"
}

# The binary records the sha256 of the C source it was built from: a new checkout or worktree
# (fresh mtimes) reuses it, and any edit to the source rebuilds it.
src_sha() { sha256sum "$SRC" | cut -d' ' -f1; }
up_to_date() {
  [ -x "$BIN" ] && [ -f "$LIB" ] && [ "$BIN" -nt "$LIB" ] &&
    [ "$(cat "$BIN.src-sha256" 2>/dev/null)" = "$(src_sha)" ]
}

[ -f "$SRC" ] || fail "missing $SRC"
if up_to_date; then echo "$BIN"; exit 0; fi

for tool in gcc make tar flock perl; do
  command -v "$tool" >/dev/null || fail "'$tool' not found (apt-get install -y build-essential util-linux tar)"
done

mkdir -p "$CACHE/bin"
# Serialise concurrent runs (several test workers or engineers calling setup at once).
exec 9>"$CACHE/.lock"
flock 9
if up_to_date; then echo "$BIN"; exit 0; fi

# 1. The npm package with librdkafka's sources.
if [ ! -f "$LIB" ]; then
  if [ "$COMPILE_ONLY" = 1 ]; then
    log "librdkafka is not built yet ($LIB); run: npm run setup (or bash scripts/build-kafka-broker.sh)"
    exit 3
  fi
  if [ ! -f "$TGZ" ] || ! echo "$KJS_SHA1  $TGZ" | sha1sum -c --status; then
    command -v npm >/dev/null || fail "'npm' not found; it is needed once to fetch @confluentinc/kafka-javascript"
    log "fetching @confluentinc/kafka-javascript@$KJS_VERSION"
    rm -f "$TGZ"
    (cd "$CACHE" && npm pack --silent "@confluentinc/kafka-javascript@$KJS_VERSION" >/dev/null) \
      || fail "npm pack @confluentinc/kafka-javascript@$KJS_VERSION failed"
    echo "$KJS_SHA1  $TGZ" | sha1sum -c --status || fail "checksum mismatch for $TGZ"
  fi
  # Drop sources of other versions (other patch levels of this one may be in use), then unpack and patch.
  for old in "$CACHE"/kafka-javascript-*; do
    case "$old" in "$CACHE/kafka-javascript-$KJS_VERSION-"*) continue ;; esac
    if [ -e "$old" ]; then rm -rf "$old"; fi
  done
  mkdir -p "$PKG.tmp"
  tar -xzf "$TGZ" -C "$PKG.tmp"
  [ -x "$PKG.tmp/package/deps/librdkafka/configure" ] || fail "librdkafka sources not found in $TGZ"
  patch_mock "$PKG.tmp/package/deps/librdkafka"
  mv "$PKG.tmp" "$PKG"

  # 2. librdkafka's static library (~70 s on 2 cores).
  log "building librdkafka.a (about a minute; log: $LOG)"
  start=$SECONDS
  : >"$LOG"
  (
    cd "$RDK"
    ./configure --disable-ssl --disable-gssapi --disable-sasl --disable-zstd --disable-lz4-ext \
      --disable-curl --disable-regex-ext --disable-zlib
    make -j"$(nproc 2>/dev/null || echo 2)" -C src librdkafka.a
  ) >>"$LOG" 2>&1 || { rm -f "$LIB"; fail_log "$LOG" "librdkafka build failed"; }
  [ -f "$LIB" ] || fail "librdkafka build did not produce $LIB"
  log "librdkafka.a built in $((SECONDS - start)) s"
fi

# 3. Our program.  The link libraries are the ones configure found librdkafka needs
#    (LIBS in Makefile.config, e.g. -lm -ldl -lpthread -lrt), plus the usual safe set.
LIBS=$(sed -n 's/^LIBS+\{0,1\}=[[:space:]]*//p' "$RDK/Makefile.config" 2>/dev/null | tr '\n' ' ')
log "compiling $(basename "$SRC")"
gcc -std=gnu11 -O2 -g -Wall -I"$RDK/src" \
  -o "$BIN.tmp" "$SRC" "$LIB" $LIBS -lpthread -lm -ldl -lrt >"$CACHE/compile.log" 2>&1 \
  || { rm -f "$BIN.tmp"; fail_log "$CACHE/compile.log" "compiling $SRC failed"; }
src_sha >"$BIN.src-sha256"
mv -f "$BIN.tmp" "$BIN"
echo "$BIN"
