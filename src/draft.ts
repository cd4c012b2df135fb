// The draft-API entry point (`zmq-napi/draft`): sockets libzmq marks as draft.
export {};
