// The README's "Choosing the Kafka client" example, checked by `tsc --noEmit` (the confluent
// vitest project runs the core Kafka suites with this client against the test broker).
import { Stream } from '../../src/index.js';

const config = { client: 'confluent' as const, brokers: ['127.0.0.1:9092'], groupId: 'totals' };
const events = Stream.fromKafkaBatched('events', config, { decode: 'json', startFrom: 'earliest' });
void events;

// @ts-expect-error: only the two clients
Stream.fromKafkaBatched('events', { ...config, client: 'rdkafka' }, {});
