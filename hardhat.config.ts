// Hardhat set-up for the trust contracts: offline compiler, the embedded network's rules and
// the typechain bindings the services import.
import path from "node:path";
import { subtask, type HardhatUserConfig } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_TEST_GET_TEST_FILES } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";

/** The only compiler this project uses; it ships in the npm `solc` package (soljson). */
const SOLC_VERSION = "0.8.28";
const SOLC_LONG_VERSION = "0.8.28+commit.7893614a";

// Hardhat downloads compilers from the internet by default, which this project's machines cannot
// do; the npm `solc` package carries the same compiler as WebAssembly.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) {
    return runSuper(args) as Promise<unknown>;
  }
  // package.json pins solc to exactly SOLC_VERSION, so its long version is known.
  return Promise.resolve({
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: SOLC_LONG_VERSION,
  });
});

// Only `*.test.ts` files are suites; helpers, behaviour suites and the gas benchmark under
// contracts/test are imported by them or run on their own.
subtask(TASK_TEST_GET_TEST_FILES, async (args: { testFiles: string[] }, _hre, runSuper) => {
  const files = (await runSuper(args)) as string[];
  return args.testFiles.length > 0 ? files : files.filter((file) => file.endsWith(".test.ts"));
});

/** The embedded chain: Hardhat network rules every part of the project agrees on. */
export const EMBEDDED_CHAIN_ID = 31337;

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      // prague bytecode on an osaka chain: the P-256 precompile (EIP-7951) makes P256.verify cheap.
      evmVersion: "prague",
      viaIR: true,
      optimizer: { enabled: true, runs: 200 },
    },
  },
  networks: {
    hardhat: {
      chainId: EMBEDDED_CHAIN_ID,
      hardfork: "osaka",
    },
    // Any JSON-RPC chain (the embedded node, Besu...): `npx hardhat --network evm ...`.
    evm: {
      url: process.env.EVM_RPC_URL ?? "http://127.0.0.1:8545",
      accounts: process.env.DEPLOYER_PRIVATE_KEY === undefined ? "remote" : [process.env.DEPLOYER_PRIVATE_KEY],
    },
  },
  paths: {
    root: __dirname,
    sources: path.join(__dirname, "contracts"),
    tests: path.join(__dirname, "contracts", "test"),
    cache: path.join(__dirname, "cache"),
    artifacts: path.join(__dirname, "artifacts"),
  },
  typechain: {
    outDir: "typechain-types",
    target: "ethers-v6",
  },
  mocha: {
    timeout: 120_000,
  },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "true",
    offline: true,
  },
};

export default config;
