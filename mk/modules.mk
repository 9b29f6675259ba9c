# Modules, lowest first. A module may use only the modules in its _DEPS
# (DESIGN.md: dependencies point down). Unit tests of a module link only the
# module and its dependencies, so an upward call fails to link.

MODULES := core io crypto bencode bt wallet ledger rpc node cli

core_DEPS    :=
io_DEPS      := core
crypto_DEPS  := core
bencode_DEPS := core
bt_DEPS      := bencode crypto io core
wallet_DEPS  := crypto core
ledger_DEPS  := crypto core
rpc_DEPS     := io core
node_DEPS    := rpc ledger wallet crypto io core
cli_DEPS     := node rpc bt ledger wallet bencode crypto io core

# Libraries every link gets, from pkg-config.
PKGS := libuv libcurl libcrypto libsecp256k1 libsodium lmdb jansson libmicrohttpd
