/** The SDK client every bench process uses: plaintext gRPC to the measured gateway, no auth, no logs. */
import { Camunda8 } from '@camunda8/sdk';

/** A Zeebe gRPC client of the unmodified SDK pointed at `grpcAddress` (`host:port`). */
export function benchZeebeClient(grpcAddress: string): ReturnType<Camunda8['getZeebeGrpcApiClient']> {
  const camunda = new Camunda8({
    ZEEBE_GRPC_ADDRESS: `grpc://${grpcAddress}`,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    ZEEBE_CLIENT_LOG_LEVEL: 'NONE',
    CAMUNDA_LOG_LEVEL: 'none',
  } as ConstructorParameters<typeof Camunda8>[0]);
  return camunda.getZeebeGrpcApiClient();
}
