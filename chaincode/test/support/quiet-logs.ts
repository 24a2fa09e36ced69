// fabric-shim and fabric-contract-api log every transaction (and every refused one as an
// error) through winston; tests exercise hundreds of refusals on purpose. Their loggers read
// this variable when first created, so this module is imported before them.
process.env.CORE_CHAINCODE_LOGGING_LEVEL ??= 'CRITICAL';
