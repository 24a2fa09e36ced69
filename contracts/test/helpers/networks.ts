// A second, separate Hardhat network with another hardfork: shows what the contracts do on a
// chain without the P-256 precompile (EIP-7951 arrives with osaka).
import hre from "hardhat";
import { createProvider } from "hardhat/internal/core/providers/construction";
import { BrowserProvider, type JsonRpcSigner } from "ethers";

/** A fresh in-memory Hardhat network on `hardfork`, with Hardhat's default (unlocked) accounts. */
export async function networkWithHardfork(hardfork: string): Promise<{ provider: BrowserProvider; signer: JsonRpcSigner }> {
  const config = structuredClone(hre.config);
  config.networks.hardhat.hardfork = hardfork;
  const eip1193 = await createProvider(config, "hardhat");
  const provider = new BrowserProvider(eip1193, undefined, { cacheTimeout: -1 });
  return { provider, signer: await provider.getSigner(0) };
}
