import AgentCore
import AgentStore
import ArgumentParser
import CatalynxApp
import Foundation
import Nonprofit
import PostgresSupport

/// `catalynx db migrate|status`: the PostgreSQL schemas of the run store and the organization database.
struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Apply and show the schema migrations on PostgreSQL (SQLite files migrate themselves on open).",
        discussion: "Both schemas live on the server of CATALYNX_DATABASE_URL: runs (schema_migrations) and organizations (organization_migrations).",
        subcommands: [Migrate.self, Status.self])

    static let schemas = [PostgresRunStore.schema, PostgresOrganizationDatabase.schema]

    static func pool() throws -> PostgresPool {
        let context = CLIContext()
        guard case .success(.postgres(let url)) = context.configuration.runStore else {
            throw CLIExit.badInput("error: CATALYNX_DATABASE_URL does not name a PostgreSQL server; the SQLite files migrate themselves when opened")
        }
        do {
            return try PostgresPool(url: url, maximumConnections: 2)
        } catch {
            throw CLIExit.badInput("error: CATALYNX_DATABASE_URL is \(error)")
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply the pending migrations.")
        func run() async throws {
            let pool = try DBCommand.pool()
            for schema in DBCommand.schemas {
                do {
                    try await schema.apply(on: pool)
                } catch {
                    throw CLIExit(code: .failed, message: "error: cannot migrate the \(schema.name) schema on \(pool.redactedURL): \(String(reflecting: error))")
                }
                for status in try await schema.status(on: pool) { Console.out("\(status.schema) \(status.version)  \(status.name)  applied") }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each migration and whether it is applied.")

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let pool = try DBCommand.pool()
            var statuses: [PostgresSchema.Status] = []
            for schema in DBCommand.schemas {
                do {
                    statuses += try await schema.status(on: pool)
                } catch {
                    throw CLIExit(code: .failed, message: "error: cannot read the \(schema.name) schema on \(pool.redactedURL): \(String(reflecting: error))")
                }
            }
            let formatter = ISO8601DateFormatter()
            switch format {
            case .json:
                Console.out(Value.array(statuses.map {
                    ["schema": .string($0.schema), "version": .int($0.version), "name": .string($0.name),
                     "applied_at": $0.appliedAt.map { .string(formatter.string(from: $0)) } ?? .null]
                }).jsonString(pretty: true))
            case .table:
                var table = TextTable("SCHEMA", "VERSION", "NAME", "APPLIED")
                for status in statuses {
                    table.add(status.schema, String(status.version), status.name, status.appliedAt.map(formatter.string) ?? "pending")
                }
                Console.out(table.render())
            }
        }
    }
}
