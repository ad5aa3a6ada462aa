class Client: pass
