-- ARGV: instance. A graceful shutdown reaps itself.
return reap(ARGV[1])
