import PostgresNIO
import PostgresSupport

extension PostgresRunStore {
    /// The run store's schema: `runs`, `events`, `run_leases`, `schedules`, `concurrency_slots`, `rate_windows`, recorded in `schema_migrations`.
    public static let schema = PostgresSchema(name: "runs", table: "schema_migrations", lockKey: 7201001, migrations: [
        .init(1, "runs and events", [
            """
            CREATE TABLE runs (
                id TEXT PRIMARY KEY,
                workflow TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL,
                version INTEGER NOT NULL
            )
            """,
            "CREATE INDEX runs_status ON runs (status, id)",
            "CREATE INDEX runs_workflow ON runs (workflow, id)",
            """
            CREATE TABLE events (
                run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                type TEXT NOT NULL,
                step TEXT,
                timestamp DOUBLE PRECISION NOT NULL,
                payload TEXT NOT NULL,
                PRIMARY KEY (run_id, seq)
            )
            """,
        ]),
        .init(2, "run leases for workers", [
            """
            CREATE TABLE run_leases (
                run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
                owner TEXT NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL
            )
            """,
        ]),
        .init(3, "wake-up times of runs waiting for a person", [
            "ALTER TABLE runs ADD COLUMN wake_at DOUBLE PRECISION",
        ]),
        .init(4, "schedules", [
            """
            CREATE TABLE schedules (
                name TEXT PRIMARY KEY,
                cron TEXT NOT NULL,
                timezone TEXT NOT NULL,
                workflow TEXT NOT NULL,
                inputs TEXT NOT NULL,
                catch_up TEXT NOT NULL,
                paused BOOLEAN NOT NULL DEFAULT FALSE,
                declared_in TEXT,
                last_tick DOUBLE PRECISION NOT NULL,
                last_run_id TEXT
            )
            """,
        ]),
        .init(5, "concurrency slots and rate windows", [
            """
            CREATE TABLE concurrency_slots (
                key TEXT NOT NULL,
                holder TEXT NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (key, holder)
            )
            """,
            """
            CREATE TABLE rate_windows (
                key TEXT PRIMARY KEY,
                window_start DOUBLE PRECISION NOT NULL,
                count INTEGER NOT NULL
            )
            """,
        ]),
    ])
}
