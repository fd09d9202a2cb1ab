#!/usr/bin/env bash
# live.sh with the stat-walk instead of inotify (-o watch=walk): the
# fallback for network filesystems and a full inotify watch table must
# follow the archive exactly as inotify does.
#
#   tests/integration/live-walk.sh [OUT_DIR]
PYROFS_LIVE_WATCH=walk exec "$(dirname "$0")/live.sh" "$@"
