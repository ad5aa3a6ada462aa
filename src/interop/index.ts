// Adapters to other libraries; importing registers Stream.fromObservable and stream.toObservable().
export { ObservableSource, ObservableOverflowError, type FromObservableOptions } from './rxjs.js';
