/**
 * Block 0: a CONFIG transaction whose ConfigEnvelope lists the channel's organisations with their
 * MSP definitions (name, root CA, NodeOUs enabled) under `Application`, and the ordering
 * organisation under `Orderer`, so tools that read the config block find the members. Policies
 * and capabilities are not written: the devnet does not evaluate channel configuration updates.
 */
import { randomBytes } from 'node:crypto';
import { common, msp } from '@hyperledger/fabric-protos';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';
import { computeTxId } from '../protos';

/** An organisation as the config block records it. */
export interface ConfigOrg {
  mspId: string;
  caCertPem: string;
}

/** Signs block and config data as the ordering service. */
export interface OrdererSigner {
  /** Serialized identity of the orderer node. */
  serialized: Uint8Array;
  sign(message: Uint8Array): Buffer;
}

function ouIdentifier(caCertPem: string, ou: string): msp.FabricOUIdentifier {
  const id = new msp.FabricOUIdentifier();
  id.setCertificate(Buffer.from(caCertPem));
  id.setOrganizationalUnitIdentifier(ou);
  return id;
}

function mspGroup(org: ConfigOrg): common.ConfigGroup {
  const nodeOUs = new msp.FabricNodeOUs();
  nodeOUs.setEnable(true);
  nodeOUs.setClientOuIdentifier(ouIdentifier(org.caCertPem, 'client'));
  nodeOUs.setPeerOuIdentifier(ouIdentifier(org.caCertPem, 'peer'));
  nodeOUs.setAdminOuIdentifier(ouIdentifier(org.caCertPem, 'admin'));
  nodeOUs.setOrdererOuIdentifier(ouIdentifier(org.caCertPem, 'orderer'));
  const cryptoConfig = new msp.FabricCryptoConfig();
  cryptoConfig.setSignatureHashFamily('SHA2');
  cryptoConfig.setIdentityIdentifierHashFunction('SHA256');
  const fabricMsp = new msp.FabricMSPConfig();
  fabricMsp.setName(org.mspId);
  fabricMsp.setRootCertsList([Buffer.from(org.caCertPem)]);
  fabricMsp.setCryptoConfig(cryptoConfig);
  fabricMsp.setFabricNodeOus(nodeOUs);
  const mspConfig = new msp.MSPConfig();
  mspConfig.setType(0);
  mspConfig.setConfig(fabricMsp.serializeBinary());
  const value = new common.ConfigValue();
  value.setValue(mspConfig.serializeBinary());
  value.setModPolicy('Admins');
  const group = new common.ConfigGroup();
  group.getValuesMap().set('MSP', value);
  group.setModPolicy('Admins');
  return group;
}

/** Builds the CONFIG envelope of block 0 for `channelId`. */
export function genesisEnvelope(channelId: string, orgs: readonly ConfigOrg[], orderer: ConfigOrg, signer: OrdererSigner): Uint8Array {
  const application = new common.ConfigGroup();
  for (const org of orgs) application.getGroupsMap().set(org.mspId, mspGroup(org));
  application.setModPolicy('Admins');
  const ordererGroup = new common.ConfigGroup();
  ordererGroup.getGroupsMap().set(orderer.mspId, mspGroup(orderer));
  ordererGroup.setModPolicy('Admins');
  const channel = new common.ConfigGroup();
  channel.getGroupsMap().set('Application', application);
  channel.getGroupsMap().set('Orderer', ordererGroup);
  channel.setModPolicy('Admins');
  const config = new common.Config();
  config.setSequence(0);
  config.setChannelGroup(channel);
  const configEnvelope = new common.ConfigEnvelope();
  configEnvelope.setConfig(config);

  const nonce = randomBytes(24);
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.CONFIG);
  channelHeader.setChannelId(channelId);
  channelHeader.setTxId(computeTxId(nonce, signer.serialized));
  const ts = new Timestamp();
  ts.fromDate(new Date());
  channelHeader.setTimestamp(ts);
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(signer.serialized);
  signatureHeader.setNonce(nonce);
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(configEnvelope.serializeBinary());
  const payloadBytes = payload.serializeBinary();
  const envelope = new common.Envelope();
  envelope.setPayload(payloadBytes);
  envelope.setSignature(signer.sign(payloadBytes));
  return envelope.serializeBinary();
}
