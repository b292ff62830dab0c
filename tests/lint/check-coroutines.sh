#!/usr/bin/env bash
# GCC 12 (Debian 12's compiler) miscompiles some coroutine code without a warning. This check
# keeps the shapes we have hit out of the tree:
#   1. co_await inside an if/while/for condition: crashes at run time (resumes a dead frame);
#      write `const auto r = co_await x; if (r) ...` instead.
#   2. co_await on a member of a temporary wrapper, e.g. `co_await qCoro(p).waitForFinished()`:
#      the temporary can die at the suspension; bind it to a named local first.
#   3. a coroutine lambda with captures: the captures live in the lambda object, which is
#      usually gone when the coroutine resumes; pass what it needs as parameters.
#   5. a braced temporary as an argument in a co_await expression, e.g.
#      `co_await session.request(JoinParams{name})`: it lives across the suspension and GCC 12
#      destroys it twice (heap corruption); make it a named variable first.
# (Shape 4, an initializer_list inside a co_await expression, is already a compile error.)
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
status=0
report() { echo "$1"; echo "$2" | sed 's/^/    /'; status=1; }

hits=$(grep -rnE '\b(if|while|for|switch) *\(.*\bco_await\b' "$root"/{server,app,bench,tests} --include='*.cpp' --include='*.h' 2>/dev/null)
[ -n "$hits" ] && report "co_await inside a condition (GCC 12 crashes on it):" "$hits"

hits=$(grep -rnE 'co_await +qCoro\(' "$root"/{server,app,bench,tests} --include='*.cpp' --include='*.h' 2>/dev/null)
[ -n "$hits" ] && report "co_await on a temporary qCoro() wrapper (bind it to a local):" "$hits"

hits=$(grep -rnE '\[[^]]+\]\([^)]*\)[^{;]*-> *QCoro::Task' "$root"/{server,app,bench,tests} --include='*.cpp' --include='*.h' 2>/dev/null)
[ -n "$hits" ] && report "coroutine lambda with captures (pass parameters instead):" "$hits"

hits=$(grep -rnE 'co_await [^;]*\([^;]*[A-Za-z_>]\{' "$root"/{server,app,bench,tests} --include='*.cpp' --include='*.h' 2>/dev/null)
[ -n "$hits" ] && report "braced temporary in a co_await expression (make it a named variable):" "$hits"

[ $status -eq 0 ] && echo "coroutine shapes: clean"
exit $status
