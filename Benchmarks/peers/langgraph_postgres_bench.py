"""Peer benchmark: LangGraph with its PostgreSQL checkpointer (langgraph-checkpoint-postgres).

The same linear workflow of six no-op steps as langgraph_engine_bench.py, checkpointed to
PostgreSQL after every step, N runs in sequence after a warm-up (LangGraph has no worker pool of
its own: one process drives one graph invocation at a time).
Usage: python langgraph_postgres_bench.py N postgres://user@host:port/db
"""
import sys
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph_engine_bench import build, time_runs, STEPS

def main():
    n = int(sys.argv[1])
    url = sys.argv[2]
    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
        dt = time_runs(build(saver), n)
    print(f"langgraph+PostgresSaver: {n} workflows x {len(STEPS)} steps in {dt:.3f}s: {n * len(STEPS) / dt:.1f} steps/s")

if __name__ == "__main__":
    main()
