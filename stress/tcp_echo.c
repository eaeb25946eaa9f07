/* tcp_echo [connections=10000] [bytes_per_connection=1M]
 * (or STRESS_CONNS / STRESS_BYTES): N concurrent loopback TCP connections
 * on one loop, each echoing M bytes of its own pseudo-random stream. */
#include "echo_common.h"

int main(int argc, char **argv) { return echo_main(argc, argv, "tcp", 10000); }
