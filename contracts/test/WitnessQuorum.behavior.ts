// Behaviour suite of IWitnessQuorum: what any cosigned statement (a checkpoint, a balance
// commitment) accepts and refuses.
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import type { BaseContract, ContractTransactionResponse } from "ethers";
import type { IssuerRegistry } from "../../typechain-types";
import { DEPT_A, DEPT_B, DEPT_C, DEPT_D } from "./helpers/fixtures";
import { generateP256Key, highS, signP256, type P256Key } from "./helpers/p256";

export interface QuorumContext {
  registry: IssuerRegistry;
  keys: Record<string, P256Key>;
}

type Signature = { keyId: string; r: string; s: string };

export interface CosignedStatement {
  /** The contract that checks the quorum (for its custom errors). */
  contract: BaseContract;
  /** The bytes the witnesses sign. */
  message: string;
  submit: (signatures: Signature[]) => Promise<ContractTransactionResponse>;
}

/**
 * @param threshold - the k the fixture sets; witnesses are A, B and C, D is registered but not a witness.
 */
export function shouldBehaveLikeWitnessQuorum<C extends QuorumContext>(
  fixture: () => Promise<C>,
  statement: (ctx: C) => Promise<CosignedStatement>,
  threshold: number,
): void {
  const witnesses = [DEPT_A, DEPT_B, DEPT_C];

  async function setup() {
    const ctx = await loadFixture(fixture);
    const s = await statement(ctx);
    const sign = (mspId: string, message = s.message) => signP256(ctx.keys[mspId]!, message);
    const quorum = witnesses.slice(0, threshold).map((d) => sign(d.mspId));
    return { ...ctx, ...s, sign, quorum };
  }

  describe("witness quorum", function () {
    it(`accepts ${threshold} distinct witnesses, in any order`, async function () {
      const { submit, quorum } = await setup();
      await expect(submit([...quorum].reverse())).to.not.be.reverted;
    });

    it("accepts more signatures than the threshold when all are valid", async function () {
      const { submit, sign } = await setup();
      await expect(submit(witnesses.map((d) => sign(d.mspId)))).to.not.be.reverted;
    });

    it(`reverts with only ${threshold - 1} signatures`, async function () {
      const { submit, quorum, contract } = await setup();
      await expect(submit(quorum.slice(0, -1)))
        .to.be.revertedWithCustomError(contract, "WitnessQuorumNotReached")
        .withArgs(threshold - 1, threshold);
    });

    it("reverts on a signer whose key is not registered", async function () {
      const { submit, quorum, contract, message } = await setup();
      const stranger = signP256(generateP256Key(), message);
      await expect(submit([...quorum.slice(0, -1), stranger]))
        .to.be.revertedWithCustomError(contract, "WitnessQuorumUnknownKey")
        .withArgs(stranger.keyId);
    });

    it("reverts when the same signer signs twice", async function () {
      const { submit, quorum, contract } = await setup();
      await expect(submit([...quorum.slice(0, -1), quorum[0]!]))
        .to.be.revertedWithCustomError(contract, "WitnessQuorumDuplicateWitness")
        .withArgs(DEPT_A.id);
    });

    it("counts a department once even when it signs with two of its keys", async function () {
      const { submit, quorum, contract, registry, message } = await setup();
      const second = generateP256Key();
      await registry.addSigningKey(DEPT_A.id, second.qx, second.qy);
      await expect(submit([...quorum.slice(0, -1), signP256(second, message)]))
        .to.be.revertedWithCustomError(contract, "WitnessQuorumDuplicateWitness")
        .withArgs(DEPT_A.id);
    });

    it("reverts on a registered department that is not a witness", async function () {
      const { submit, quorum, contract, sign, keys } = await setup();
      await expect(submit([...quorum.slice(0, -1), sign(DEPT_D.mspId)]))
        .to.be.revertedWithCustomError(contract, "WitnessQuorumNotWitness")
        .withArgs(keys[DEPT_D.mspId]!.keyId, DEPT_D.id);
    });

    it("reverts on a revoked key", async function () {
      const { submit, quorum, contract, registry, keys } = await setup();
      const keyId = keys[DEPT_B.mspId]!.keyId;
      await registry.revokeSigningKey(keyId);
      const at = await time.latest();
      await expect(submit(quorum)).to.be.revertedWithCustomError(contract, "WitnessQuorumKeyRevoked").withArgs(keyId, at);
    });

    it("reverts on a signature over other bytes", async function () {
      const { submit, quorum, contract, sign, keys } = await setup();
      const wrong = sign(DEPT_B.mspId, "0x1234");
      await expect(submit([quorum[0]!, wrong, ...quorum.slice(2)]))
        .to.be.revertedWithCustomError(contract, "WitnessQuorumInvalidSignature")
        .withArgs(keys[DEPT_B.mspId]!.keyId);
    });

    it("reverts on the malleable (high-s) twin of a valid signature", async function () {
      const { submit, quorum, contract, keys } = await setup();
      await expect(submit([quorum[0]!, highS(quorum[1]!), ...quorum.slice(2)]))
        .to.be.revertedWithCustomError(contract, "WitnessQuorumInvalidSignature")
        .withArgs(keys[DEPT_B.mspId]!.keyId);
    });

    it("follows the registry: a department removed from the witnesses no longer counts", async function () {
      const { submit, quorum, contract, registry, keys } = await setup();
      await registry.addWitness(DEPT_D.id);
      await registry.removeWitness(DEPT_A.id);
      await expect(submit(quorum))
        .to.be.revertedWithCustomError(contract, "WitnessQuorumNotWitness")
        .withArgs(keys[DEPT_A.mspId]!.keyId, DEPT_A.id);
    });
  });
}
