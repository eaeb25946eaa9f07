/* pipe_echo [connections=1000] [bytes_per_connection=1M]
 * (or STRESS_CONNS / STRESS_BYTES): N concurrent Unix domain socket
 * connections (uv_pipe_t) on one loop, each echoing M bytes of its own
 * pseudo-random stream. */
#define ECHO_PIPE 1
#include "echo_common.h"

int main(int argc, char **argv) { return echo_main(argc, argv, "pipe", 1000); }
