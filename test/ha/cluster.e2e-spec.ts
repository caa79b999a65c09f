/**
 * The real two-node cluster suites, in one file so jest runs them one after the other: each builds
 * the cluster in the same network namespaces (test/peers/ha-cluster.sh), and two at once on a
 * 2-core machine would clash and starve each other.
 */
import './failover.cases';
import './faults.cases';
