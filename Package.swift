// swift-tools-version:6.1
import PackageDescription

// Keep the target count modest: every target costs build time on 2 cores (see docs/ARCHITECTURE.md).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "townhall",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "townhall", targets: ["townhall"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/JohnSundell/Ink.git", from: "0.6.0"),
    ],
    targets: [
        // Identifiers, postcodes, UPRNs, dates, errors, actors: pure Swift, Foundation only.
        .target(name: "TownhallKernel", swiftSettings: swiftSettings),
        // One code path over SQLite and PostgreSQL: connections, transactions, migrations, dialect differences.
        .target(
            name: "TownhallDatabase",
            dependencies: [
                "TownhallKernel",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Append-only audit log.
        .target(name: "Audit", dependencies: ["TownhallKernel", "TownhallDatabase"], swiftSettings: swiftSettings),
        // Organisations (tenants) and data-sharing agreements; the one sharing-policy function.
        .target(
            name: "Partnership",
            dependencies: ["TownhallKernel", "TownhallDatabase", "Audit", .product(name: "CSV", package: "CSV.swift")],
            resources: [.copy("Resources/local-authorities.csv")],
            swiftSettings: swiftSettings
        ),
        // Staff, teams, roles, sign-in sessions, API keys, login throttling.
        .target(
            name: "Access",
            dependencies: [
                "TownhallKernel", "TownhallDatabase", "Audit", "Partnership",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The people-and-property register: properties, people, households, search, duplicates, imports.
        .target(
            name: "Register",
            dependencies: [
                "TownhallKernel", "TownhallDatabase", "Audit", "Partnership",
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // Cases: service catalogue, routing across partners, timelines, service levels on working time, notifications outbox.
        .target(
            name: "Cases",
            dependencies: [
                "TownhallKernel", "TownhallDatabase", "Audit", "Partnership", "Access", "Register",
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The one-stop shop: contact log, restricted information, agent guidance, triage.
        .target(
            name: "Contact",
            dependencies: ["TownhallKernel", "TownhallDatabase", "Audit", "Partnership", "Register", "Cases"],
            swiftSettings: swiftSettings
        ),
        // Citizen accounts on the portal: registration, email confirmation through the outbox, sessions, "my requests".
        .target(
            name: "Citizens",
            dependencies: ["TownhallKernel", "TownhallDatabase", "Audit", "Partnership", "Access", "Cases"],
            swiftSettings: swiftSettings
        ),
        // Revenues: council tax and business rates — valuation list, charges, accounts and liability, billing runs, payments,
        // recovery (its letters and e-bills go through the Cases outbox).
        .target(
            name: "Revenues",
            dependencies: ["TownhallKernel", "TownhallDatabase", "Audit", "Partnership", "Register", "Cases", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // Benefits: housing benefit, council tax reduction and the eligibility checker (rates are data, in Resources).
        .target(
            name: "Benefits",
            dependencies: ["TownhallKernel", "TownhallDatabase", "Audit", "Partnership", "Register", "Revenues"],
            resources: [.copy("Resources/rates-2025-26.json"), .copy("Resources/rates-2026-27.json"), .copy("Resources/lha-rates.csv")],
            swiftSettings: swiftSettings
        ),
        // HTTP plumbing shared by the API and the pages: request context, authenticator, error rendering, JSON and form bodies.
        .target(
            name: "TownhallHTTP",
            dependencies: [
                "TownhallKernel", "TownhallDatabase", "Access",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "MultipartKit", package: "multipart-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        // JSON API under /api/v1 and its OpenAPI document.
        .target(
            name: "TownhallAPI",
            dependencies: [
                "TownhallKernel", "TownhallDatabase", "Audit", "Partnership", "Access", "Register", "Cases", "Contact", "Revenues", "Benefits", "TownhallHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        // Server-rendered pages, templates and stylesheet.
        .target(
            name: "TownhallWeb",
            dependencies: [
                "TownhallKernel", "TownhallDatabase", "Audit", "Partnership", "Access", "Register", "Cases", "Contact", "Citizens", "Revenues", "Benefits", "TownhallHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Ink", package: "Ink"),
            ],
            resources: [.copy("Templates"), .copy("Assets")],
            swiftSettings: swiftSettings
        ),
        // Wiring: configuration, middleware, metrics, lifecycle, demo data, CLI commands.
        .target(
            name: "TownhallApp",
            dependencies: [
                "TownhallKernel", "TownhallDatabase", "Audit", "Partnership", "Access", "Register", "Cases", "Contact", "Citizens", "Revenues", "Benefits", "TownhallHTTP", "TownhallAPI", "TownhallWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/demo-libraries.csv"), .copy("Resources/bank-holidays.json"), .copy("Resources/lgsl-local-services.csv")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "townhall", dependencies: ["TownhallApp"], swiftSettings: swiftSettings),

        // A realistic partnership on a fresh database, shared by the test targets.
        .target(
            name: "TownhallTesting",
            dependencies: ["TownhallKernel", "TownhallDatabase", "Audit", "Partnership", "Access", "Register", "Cases", "Contact", "Citizens", "Revenues", "Benefits", "TownhallApp"],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "TownhallKernelTests",
            dependencies: ["TownhallKernel", "Cases", "Revenues", "Benefits", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TownhallStoreTests",
            dependencies: ["TownhallKernel", "TownhallDatabase", "Audit", "Partnership", "Access", "Register", "Cases", "Contact", "Citizens", "Revenues", "Benefits", "TownhallTesting"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TownhallAppTests",
            dependencies: [
                "TownhallApp", "TownhallHTTP", "TownhallAPI", "TownhallWeb", "TownhallTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // The reference the page renderer is checked against (TemplateEquivalenceTests).
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            exclude: ["Golden"],   // read from the source tree by GoldenTests
            swiftSettings: swiftSettings
        ),
    ]
)
