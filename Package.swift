// swift-tools-version: 6.0
import PackageDescription

/// Upcoming language features every target builds with (swift-tools 6.x).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "wsload",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "wsload", targets: ["WSLoadCLI"]),
        .library(name: "WSProtocol", targets: ["WSProtocol"]),
        .library(name: "WSLoad", targets: ["WSLoad"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "WSProtocol", dependencies: ["CZlib"], swiftSettings: swiftSettings),
        .target(
            name: "WSLoad",
            dependencies: [
                "WSProtocol", "COpenSSL",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "WSLoadCLI",
            dependencies: [
                "WSLoad", "WSProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "WSProtocolTests", dependencies: ["WSProtocol"], swiftSettings: swiftSettings),
        // WSLoadCLI: the in-process parsing tests (`parseAsRoot`) check the CLI's flags without running the binary.
        .testTarget(name: "WSLoadTests", dependencies: ["WSLoad", "WSProtocol", "WSLoadCLI", "COpenSSL",
                                                        .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                                        .product(name: "Logging", package: "swift-log")],
                    exclude: ["Fixtures"], swiftSettings: swiftSettings),
    ]
)
